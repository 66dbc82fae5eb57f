package demo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// TestSeededHistory: the sandbox's history database holds 30 days of runs,
// two a day per job, with a few failures, one killed run (a job's last,
// so `check` warns about it) and one run too short.
func TestSeededHistory(t *testing.T) {
	// Now, not the now clock: the runs check looks back from now.
	now := time.Now()
	s, err := Build(t.TempDir(), Options{Bin: "/nonexistent/richsops-demo", Now: now, Seed: 1, FakeDB: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(s.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := history.OpenReader(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	judged, err := st.JudgedRuns(ctx, "", time.Time{}, JobNames, func(string) time.Duration { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	flags := map[string]int{}
	for _, j := range judged {
		per[j.Job]++
		for _, f := range j.Flags {
			flags[f]++
		}
		if !j.End.Before(now) || j.Start.Before(now.AddDate(0, 0, -HistoryDays-1)) {
			t.Errorf("run outside the 30 days before now: %+v", j.Run)
		}
	}
	for _, name := range JobNames {
		if n := per[name]; n < 2*HistoryDays-2 || n > 2*HistoryDays+2 {
			t.Errorf("%s: %d runs, want about two a day for %d days", name, n, HistoryDays)
		}
	}
	if flags[history.FlagFailed] < 2 || flags[history.FlagKilled] != 1 || flags[history.FlagTooShort] != 1 {
		t.Errorf("flags %v: want a few failed, one killed, one too short", flags)
	}
	rep := check.Runs(ctx, cfg, host.NewRegistry(cfg))
	if !slices.ContainsFunc(rep.Items, func(it attention.Item) bool {
		return it.Area == attention.AreaJobs && strings.Contains(it.Text, "check_item_yahoo: last run killed")
	}) {
		t.Errorf("check runs on the sandbox: %+v", rep.Items)
	}
}
