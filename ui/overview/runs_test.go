package overview

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// TestRunsCheckOnTheOverview: a killed and a failed last run recorded in a
// real history database are attention items on the Overview, with the
// enter hint, and enter switches to the Jobs tab (issue 18, section 3).
func TestRunsCheckOnTheOverview(t *testing.T) {
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	three := 3
	if _, err := s.AddRuns(ctx, []history.Run{
		{Job: cfg.Jobs[0].Name, Start: now.Add(-2 * time.Hour), End: now.Add(-time.Hour), KilledBy: "root", Trigger: history.TriggerCron},
		{Job: cfg.Jobs[1].Name, Start: now.Add(-3 * time.Hour), End: now.Add(-2 * time.Hour), ExitCode: &three, Trigger: history.TriggerCron},
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	m := showCheck(t, cfg, check.SrcRuns)
	items := m.items()
	if len(items) != 2 {
		t.Fatalf("items %+v", items)
	}
	for _, it := range items {
		if m.hint(it) != "enter" || !(strings.Contains(it.Text, "last run killed") || strings.Contains(it.Text, "last run failed")) {
			t.Errorf("item %+v, hint %q", it, m.hint(it))
		}
		if msgs := uitest.Messages(m.act(it)); len(msgs) != 1 || msgs[0] != (common.SwitchTabMsg{Index: common.TabJobs}) {
			t.Errorf("enter on %q: %+v", it.Text, msgs)
		}
	}
}

// showCheck is an Overview on cfg that has shown the named check source's
// report, as its checks' Cmd delivers it.
func showCheck(t *testing.T, cfg *config.Config, source string) *Model {
	t.Helper()
	d := &common.Deps{Cfg: cfg, Hosts: host.NewRegistry(cfg), Lang: "en", Now: time.Now, Styles: common.DefaultStyles()}
	m := New(d).(*Model)
	sel, err := check.Select([]string{source}, d.T)
	if err != nil {
		t.Fatal(err)
	}
	r := check.RunOne(context.Background(), cfg, d.Hosts, sel[0])
	m.checks.inflight = 1
	_, cmd := m.Update(checkDoneMsg{check.ForOverview(r.Report, d.T)})
	for _, msg := range uitest.Messages(cmd) {
		m.Update(msg)
	}
	return m
}
