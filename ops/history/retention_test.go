package history

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Prune folds old full-rate samples into hourly aggregates and drops what
// is past its retention.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "history.db"), Options{})
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	old := now.Add(-20 * 24 * time.Hour).Truncate(time.Hour)
	var ss []Sample
	for i := 0; i < 120; i++ { // one hour at 30s
		ss = append(ss, Sample{Metric: MetricLoad1, Host: "local", Time: old.Add(time.Duration(i) * 30 * time.Second), Value: float64(i)})
	}
	ss = append(ss, Sample{Metric: MetricLoad1, Host: "local", Time: now.Add(-time.Hour), Value: 7})
	ss = append(ss, Sample{Metric: MetricLoad1, Host: "local", Time: now.Add(-400 * 24 * time.Hour), Value: 1})
	if err := s.AddSamples(ctx, ss); err != nil {
		t.Fatal(err)
	}
	s.StartRun(ctx, Run{Job: "a", Host: "local", Start: now.Add(-800 * 24 * time.Hour), End: now.Add(-800 * 24 * time.Hour)})
	s.StartRun(ctx, Run{Job: "a", Host: "local", Start: now.Add(-24 * time.Hour), End: now.Add(-23 * time.Hour)})
	s.AddEvent(ctx, Event{Time: now.Add(-800 * 24 * time.Hour), Kind: EventGuard})
	if err := s.Prune(ctx, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Samples(ctx, SamplesQuery{Metric: MetricLoad1})
	if len(got) != 2 {
		t.Fatalf("samples %+v, want one hourly aggregate and one full-rate", got)
	}
	if h := got[0]; h.N != 120 || h.Min != 0 || h.Max != 119 || h.Value != 59.5 || !h.Time.Equal(old) {
		t.Errorf("aggregate %+v", h)
	}
	if got[1].N != 1 || got[1].Value != 7 {
		t.Errorf("full rate %+v", got[1])
	}
	runs, _ := s.Runs(ctx, RunsQuery{})
	evs, _ := s.Events(ctx, "", time.Unix(0, 0))
	if len(runs) != 1 || len(evs) != 0 {
		t.Errorf("runs %d events %d, want 1 and 0", len(runs), len(evs))
	}
	// Pruning again is a no-op (no double counting of an hour).
	s.Prune(ctx, now, DefaultRetention)
	again, _ := s.Samples(ctx, SamplesQuery{Metric: MetricLoad1})
	if len(again) != 2 || again[0].N != 120 {
		t.Errorf("second prune changed %+v", again)
	}
}

// A simulated year at the defaults (30s samples of every metric, hourly
// after 14 days, runs of four jobs every hour, events) stays under
// 50 MB. The 14 full-rate days are written as the watch service writes
// them; the older 351 days only exist as hourly rows at steady state, so
// they are written as one sample an hour and folded by Prune.
func TestYearUnder50MB(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("fills a year: not in -short or -race")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	s := openT(t, path, Options{})
	mb, err := FillYear(ctx, s, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	t.Logf("a year: %.1f MB", mb)
	if st.Size() > 50<<20 {
		t.Errorf("database after a year: %d bytes, want under 50 MB", st.Size())
	}
}
