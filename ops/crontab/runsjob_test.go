package crontab

import (
	"strings"
	"testing"
)

// Issue 15 item 9: only a command that runs `manage.py NAME` as the
// management command is the job's line.
func TestRunsJob(t *testing.T) {
	const job = "check_item_mercari"
	for _, tc := range []struct {
		cmd  string
		want bool
	}{
		// The runbook's lines and the usual spellings.
		{"cd /var/www/richs && python manage.py check_item_mercari 2 4 --max-workers 14", true},
		{"cd /var/www/richs; /opt/venv/bin/python3.11 -u manage.py check_item_mercari >> /tmp/x.log 2>&1", true},
		{"/var/www/richs/manage.py check_item_mercari", true},
		{"LANG=ja_JP.UTF-8 nice -n 10 flock -n /run/lock/m python manage.py check_item_mercari", true},
		{"python manage.py check_item_mercari>/dev/null", true},
		{"timeout 6h python3 /var/www/richs/manage.py 'check_item_mercari' 2 4", true}, // quotes around the word itself
		{"python manage.py check_item_mercari % stdin for the job", true},
		{"true || python manage.py check_item_mercari", true},
		// The lines: a comment, a grep argument.
		{"/usr/local/bin/rotate-backups.sh # replaces: python manage.py check_item_mercari", false},
		{`grep -c "manage.py check_item_mercari" /var/log/cron >> /tmp/count`, false},
		// More that only mention it.
		{"grep -c manage.py check_item_mercari", false},
		{"echo python manage.py check_item_mercari", false},
		{"sh -c 'python manage.py check_item_mercari'", false},
		{`echo "run: python manage.py check_item_mercari"`, false},
		{"python manage.py check_item_mercari_v2", false},
		{"python manage.py check_item_yahoo check_item_mercari", false},
		{"python mymanage.py check_item_mercari", false},
		{"python manage.py shell # check_item_mercari", false},
		{`printf %s\n manage.py check_item_mercari`, false}, // after the %: stdin
		{"python manage.py \\#x check_item_mercari", false},
	} {
		if got := RunsJob(tc.cmd, job); got != tc.want {
			t.Errorf("RunsJob(%q) = %v, want %v", tc.cmd, got, tc.want)
		}
	}
}

// Pausing the job touches only its own lines.
func TestPauseTouchesOnlyJobLines(t *testing.T) {
	tab := "0 3 * * * richs cd /var/www/richs && python manage.py check_item_mercari 2 4\n" +
		"0 5 * * * root /usr/local/bin/rotate-backups.sh # replaces: python manage.py check_item_mercari\n" +
		"0 6 * * * root grep -c \"manage.py check_item_mercari\" /var/log/cron > /tmp/n\n"
	e, err := Parse([]byte(tab)).Pause("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Changed) != 1 || e.Changed[0].Num != 1 {
		t.Fatalf("changed %+v", e.Changed)
	}
}

func FuzzRunsJob(f *testing.F) {
	for _, s := range []string{"cd /x && python manage.py check_item_mercari 2", `grep "manage.py check_item_mercari"`,
		"a # python manage.py check_item_mercari", `python 'manage.py' "check_item_mercari"`, `\`, `'`, `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		const job = "check_item_mercari"
		RunsJob(cmd, job)
		// Inside quotes, nothing runs.
		if !strings.Contains(cmd, "'") && RunsJob("echo '"+cmd+"'", job) {
			t.Fatalf("%q: quoted, still a job line", cmd)
		}
		// Behind a comment, nothing runs.
		if RunsJob("# "+cmd, job) || RunsJob("true #"+cmd, job) {
			t.Fatalf("%q: commented out, still a job line", cmd)
		}
	})
}
