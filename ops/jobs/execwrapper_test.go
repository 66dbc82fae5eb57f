package jobs

import "testing"

// The waiting parent of a wrapped run names the job in its argv but is not
// the job's process: its child is.
func TestMatchJobSkipsTheExecWrapper(t *testing.T) {
	names := []string{"check_item_mercari"}
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"python", "manage.py", "check_item_mercari", "2"}, "check_item_mercari"},
		{[]string{"/usr/local/bin/richsops", "jobs", "exec", "check_item_mercari", "--", "python", "manage.py", "check_item_mercari"}, ""},
		{[]string{"/usr/local/bin/richsops", "--config", "/etc/r.toml", "jobs", "exec", "--trigger", "cron", "check_item_mercari", "--", "python", "manage.py", "check_item_mercari"}, ""},
		{[]string{"/opt/other/bin/wrapper", "jobs", "exec", "--", "python", "manage.py", "check_item_mercari"}, "check_item_mercari"},
	} {
		if got := MatchJob(tc.argv, names); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.argv, got, tc.want)
		}
	}
}
