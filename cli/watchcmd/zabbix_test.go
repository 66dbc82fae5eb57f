package watchcmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/history"
)

func TestZabbixValue(t *testing.T) {
	j := func(flags ...string) history.Judged { return history.Judged{Flags: flags} }
	for _, c := range []struct {
		name string
		runs []history.Judged
		want int
	}{
		{"no run", nil, -1},
		{"only one in progress", []history.Judged{j(history.FlagRunning)}, -1},
		{"ok", []history.Judged{j(history.FlagFailed), j()}, 0},
		{"overlap is still ok", []history.Judged{j(history.FlagOverlap)}, 0},
		{"too long", []history.Judged{j(), j(history.FlagTooLong)}, 1},
		{"too short", []history.Judged{j(history.FlagTooShort)}, 1},
		{"failed", []history.Judged{j(), j(history.FlagFailed)}, 2},
		{"killed and too short", []history.Judged{j(history.FlagKilled, history.FlagTooShort)}, 2},
		{"a run in progress after a failure", []history.Judged{j(), j(history.FlagFailed), j(history.FlagRunning)}, 2},
	} {
		if got := zabbixValue(c.runs); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// `jobs runs NAME --zabbix` over a real history: one number and exit 0
// for every result, an error (not "no run") without a database.
func TestRunsZabbix(t *testing.T) {
	f := newFixture(t)
	if code, out := f.main("jobs", "runs", f.job, "--zabbix"); code != 1 || !strings.Contains(out, "no history yet") {
		t.Errorf("without a database: %d %q, want an error", code, out)
	}
	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	add := func(r history.Run) {
		t.Helper()
		if _, err := s.AddRuns(context.Background(), []history.Run{r}); err != nil {
			t.Fatal(err)
		}
	}
	zabbix := func(want string) {
		t.Helper()
		if code, out := f.main("jobs", "runs", f.job, "--zabbix"); code != 0 || out != want+"\n" {
			t.Errorf("--zabbix: exit %d %q, want %s", code, out, want)
		}
	}
	zabbix("-1")
	zero, one := 0, 1
	st := time.Now().Add(-30 * 24 * time.Hour) // older than the listing's default window
	run := func(d time.Duration, code *int) history.Run {
		st = st.Add(time.Hour)
		return history.Run{Job: f.job, Host: "local", Start: st, End: st.Add(d), ExitCode: code, Trigger: history.TriggerCron, User: "root"}
	}
	for i := 0; i < 6; i++ {
		add(run(10*time.Minute, &zero))
	}
	zabbix("0")
	add(run(time.Minute, &zero))
	zabbix("1")
	add(run(5*time.Minute, &one))
	zabbix("2")
	running := run(0, nil)
	running.End = time.Time{}
	add(running)
	zabbix("2")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"jobs", "runs", "--zabbix"}, "want one job NAME"},
		{[]string{"jobs", "runs", f.job, "--zabbix", "--since", "1d"}, "takes no --since"},
		{[]string{"jobs", "runs", "nope", "--zabbix"}, "not a configured job"},
	} {
		if code, out := f.main(c.args...); code != 2 || !strings.Contains(out, c.want) {
			t.Errorf("%v: %d %q, want usage error %q", c.args, code, out, c.want)
		}
	}
}
