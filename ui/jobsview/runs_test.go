package jobsview

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// histView feeds the tab a snapshot, runs the history read it asks for
// (a real read of cfg.History.Path) and returns the tab and its plain view.
func histView(t *testing.T, d *common.Deps, keys ...string) (common.Tab, string) {
	t.Helper()
	tab := New(d)
	tab.SetSize(120, 40)
	snap := snapshot(d)
	snap.st[2].LastRun, snap.st[2].LastFrom = d.Now().Add(-250*time.Second), "log"
	tab, cmd := tab.Update(snap)
	if cmd == nil {
		t.Fatal("a snapshot asked for no history read")
	}
	tab, _ = tab.Update(cmd())
	for _, k := range keys {
		tab, _ = tab.Update(uitest.Key(k))
	}
	return tab, strings.Join(strings.Fields(uitest.Plain(tab.View())), " ")
}

// TestLastRunFromHistory: LAST RUN is each job's last recorded run read
// from a real history database: a failure with its exit code, a killed run,
// an ok run with when and how long; a job without runs keeps the log's
// guess and says it is one. The details list the runs and the baseline.
func TestLastRunFromHistory(t *testing.T) {
	d := deps(t, false)
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, d.Cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := d.Now()
	code := func(c int) *int { return &c }
	var rs []history.Run
	for i := range 8 { // job 3: ok runs of 14m, twice a day
		st := now.Add(-time.Duration(8-i) * 12 * time.Hour)
		rs = append(rs, history.Run{Job: d.Cfg.Jobs[3].Name, Start: st, End: st.Add(14 * time.Minute), ExitCode: code(0), Trigger: history.TriggerCron, User: "richs",
			Counts: map[string]int{"items": 42}})
	}
	rs = append(rs,
		history.Run{Job: d.Cfg.Jobs[2].Name, Start: now.Add(-3 * time.Hour), End: now.Add(-2 * time.Hour), ExitCode: code(3), Trigger: history.TriggerCron, User: "richs"},
		history.Run{Job: d.Cfg.Jobs[1].Name, Start: now.Add(-5 * time.Hour), End: now.Add(-4 * time.Hour), KilledBy: "root", Trigger: history.TriggerConsole, User: "root"})
	if _, err := s.AddRuns(ctx, rs); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tab, v := histView(t, d)
	for _, want := range []string{"FAILED 3 3h00m ago 1h00m", "killed 5h00m ago 1h00m", "ok 12h00m ago 14m00s"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, tab.View())
		}
	}
	_, v = histView(t, d, "j", "j", "j")
	if !strings.Contains(v, "last recorded run") {
		t.Errorf("the selected job's recorded run is not said:\n%s", v)
	}
	_, v = histView(t, d, "j", "j", "j", "enter")
	for _, want := range []string{"Last 20 runs", "median 14m00s, p90 14m00s over 8 complete runs", "items=42", "cron richs"} {
		if !strings.Contains(v, want) {
			t.Errorf("details: no %q in:\n%s", want, v)
		}
	}
}

// TestNoHistoryDatabase: without a database the tab says how to start the
// watch service, and the log's time is marked as a guess.
func TestNoHistoryDatabase(t *testing.T) {
	d := deps(t, false)
	_, v := histView(t, d, "j", "j")
	for _, want := range []string{"4m10s ago (log) — guessed: no recorded run", "start `richsops watch`"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, v)
		}
	}
	_, v = histView(t, d, "enter")
	if !strings.Contains(v, "Last 20 runs") || !strings.Contains(v, "start `richsops watch`") {
		t.Errorf("details: no hint to start the watch service:\n%s", v)
	}
}

// TestRemoteHistoryNotInstalled: on another host the tab asks that host's
// richsops over ssh (a private sshd on loopback whose PATH has none): the
// selected job's lines say it is not installed and what to do. The next
// snapshot within remoteHistEvery asks again for nothing, and a late
// answer about the previous host is dropped.
func TestRemoteHistoryNotInstalled(t *testing.T) {
	srv := sshtest.StartEnvT(t, "PATH="+t.TempDir()+":/usr/bin:/bin")
	d := deps(t, false)
	h, err := host.NewSSH(srv.Entry("db1"), host.SSHConfig{NoControlMaster: true}) // no master outliving the test
	if err != nil {
		t.Fatal(err)
	}
	d.Hosts.Set("db1", h)
	d.Host = "db1"
	tab := New(d)
	tab.SetSize(120, 40)
	snap := snapshot(d)
	snap.host = "db1"
	tab, cmd := tab.Update(snap)
	if cmd == nil {
		t.Fatal("a snapshot of db1 asked for no history")
	}
	tab, _ = tab.Update(cmd())
	want := "run history of db1: richsops is not installed there; install it and run `richsops watch` there"
	if v := uitest.Plain(tab.View()); !strings.Contains(v, want) {
		t.Errorf("no %q in:\n%s", want, v)
	}
	if _, cmd := tab.Update(snap); cmd != nil {
		t.Error("the next snapshot asked db1 again at once")
	}
	tab, _ = tab.Update(histMsg{host: "local", runs: map[string]history.JobRuns{}})
	if v := uitest.Plain(tab.View()); !strings.Contains(v, want) {
		t.Errorf("an answer about local replaced db1's:\n%s", v)
	}
}
