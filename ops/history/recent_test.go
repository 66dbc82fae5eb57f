package history

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestRecent: the last n runs of one job, oldest first, each judged
// against the complete runs before it (older than the n included), and
// the job's baseline now; another job's runs stay out.
func TestRecent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	w, err := OpenWriter(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	zero := 0
	var rs []Run
	for i := range 30 {
		st := t0.Add(time.Duration(i) * 12 * time.Hour)
		rs = append(rs, Run{Job: "a", Start: st, End: st.Add(10 * time.Minute), ExitCode: &zero, Counts: map[string]int{"n": i}})
		rs = append(rs, Run{Job: "b", Start: st, End: st.Add(time.Hour), ExitCode: &zero})
	}
	short := &rs[len(rs)-2] // a's last: far too short against the 29 before it
	short.End = short.Start.Add(time.Minute)
	if _, err := w.AddRuns(ctx, rs); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r, err := OpenReader(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Recent(ctx, "a", 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Runs) != 3 || got.Runs[0].Counts["n"] != 27 || got.Runs[2].Counts["n"] != 29 {
		t.Fatalf("runs %+v", got.Runs)
	}
	last, ok := got.Last()
	if !ok || !slices.Contains(last.Flags, FlagTooShort) || last.Baseline.Runs != BaselineRuns {
		t.Errorf("last %+v: want too short against a full baseline", last)
	}
	if got.Baseline.Runs != BaselineRuns || got.Baseline.Median != 10*time.Minute {
		t.Errorf("baseline %+v", got.Baseline)
	}
	if none, err := r.Recent(ctx, "c", 3, 0); err != nil || len(none.Runs) != 0 {
		t.Errorf("no runs: %+v %v", none, err)
	}
	if _, ok := (JobRuns{}).Last(); ok {
		t.Error("Last of nothing")
	}
	if s := CountsText(map[string]int{"z": 1, "a\x1b[31m": 2}); s != `a\x1b[31m=2 z=1` {
		t.Errorf("CountsText %q", s)
	}
}
