package check

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// A job's last run that failed or ran far too short is a WARN; a usual
// one and a job without runs say nothing; no database, no items.
func TestRunsWarnsAbnormalLastRun(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	if r := Runs(ctx, cfg, nil); len(r.Items) != 0 {
		t.Fatalf("no database: %+v", r.Items)
	}
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	zero, one := 0, 1
	now := time.Now()
	var runs []history.Run
	for i := 0; i < 10; i++ {
		st := now.Add(time.Duration(i-20) * time.Hour)
		for _, j := range []string{"check_item_yahoo", "check_item_mercari", "update_item_yahoo"} {
			runs = append(runs, history.Run{Job: j, Host: "local", Start: st, End: st.Add(20 * time.Minute), ExitCode: &zero})
		}
	}
	st := now.Add(-time.Hour)
	runs = append(runs,
		history.Run{Job: "check_item_yahoo", Host: "local", Start: st, End: st.Add(20 * time.Minute), ExitCode: &one},
		history.Run{Job: "check_item_mercari", Host: "local", Start: st, End: st.Add(2 * time.Minute), ExitCode: &zero},
		history.Run{Job: "update_item_yahoo", Host: "local", Start: st, End: st.Add(21 * time.Minute), ExitCode: &zero})
	if _, err := s.AddRuns(ctx, runs); err != nil {
		t.Fatal(err)
	}
	r := Runs(ctx, cfg, nil)
	if len(r.Items) != 2 {
		t.Fatalf("items %+v, want the failed yahoo check and the short mercari check", r.Items)
	}
	for i, want := range []string{"check_item_yahoo: last run failed", "check_item_mercari: last run too_short"} {
		if it := r.Items[i]; it.Severity != attention.Warn || !strings.HasPrefix(it.Text, want) {
			t.Errorf("item %d %+v, want WARN %q", i, it, want)
		}
	}
}
