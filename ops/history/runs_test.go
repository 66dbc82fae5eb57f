package history

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestJudgeFlags(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	run := func(i int, d time.Duration) Run {
		zero := 0
		st := t0.Add(time.Duration(i) * time.Hour)
		return Run{Job: "j", Start: st, End: st.Add(d), ExitCode: &zero}
	}
	var prior []Run
	for i := 0; i < 20; i++ {
		prior = append(prior, run(i, time.Duration(10+i%3)*time.Minute)) // 10-12 min
	}
	one, nine := 1, 9
	failed := run(30, 11*time.Minute)
	failed.ExitCode = &one
	killed := run(31, 3*time.Minute)
	killed.KilledBy = "guard"
	killed.ExitCode = &nine
	running := run(32, 0)
	running.End = time.Time{}
	tests := []struct {
		name string
		r    Run
		max  time.Duration
		want []string
	}{
		{"usual", run(21, 11*time.Minute), 0, []string{}},
		{"failed", failed, 0, []string{FlagFailed}},
		{"killed", killed, 0, []string{FlagFailed, FlagKilled}},
		{"too long by p90", run(22, 25*time.Minute), 0, []string{FlagTooLong}},
		{"too long by max_runtime", run(23, 15*time.Minute), 14 * time.Minute, []string{FlagTooLong}},
		{"too short", run(24, 2*time.Minute), 0, []string{FlagTooShort}},
		{"a quarter is not too short", run(25, 3*time.Minute), 0, []string{}},
		{"running", running, 0, []string{FlagRunning}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Judge(prior, []Run{tc.r}, func(string) time.Duration { return tc.max })
			if !slices.Equal(got[0].Flags, tc.want) {
				t.Errorf("flags %v, want %v", got[0].Flags, tc.want)
			}
			if b := got[0].Baseline; b.Runs != 20 || b.Median != 11*time.Minute {
				t.Errorf("baseline %+v", b)
			}
		})
	}
	// Without a baseline only what a run says of itself is flagged.
	got := Judge(nil, []Run{run(0, time.Second)}, func(string) time.Duration { return 0 })
	if len(got[0].Flags) != 0 {
		t.Errorf("no baseline: %v", got[0].Flags)
	}
	// The window moves: failed runs do not enter it, and it holds 20.
	b := BaselineOf(append(prior, failed, run(40, time.Hour)))
	if b.Runs != 21 {
		t.Errorf("baseline runs %d", b.Runs)
	}
}

// parseCounts reads what StartRun and EndRun write, and never panics on
// anything else.
func FuzzParseCounts(f *testing.F) {
	f.Add("errors", 3, "amazon_503", 0)
	f.Add(`we"ird`, -1, "取り下げ", 1<<40)
	f.Fuzz(func(t *testing.T, k1 string, v1 int, k2 string, v2 int) {
		m := map[string]int{k1: v1, k2: v2}
		b, _ := json.Marshal(m)
		got := parseCounts(string(b))
		var want map[string]int
		json.Unmarshal(b, &want)
		if !maps.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", b, got, want)
		}
		parseCounts(k1)
	})
}

// EachJudged over more runs than its reader hands over at once: the same
// runs, flags and baselines as judging the runs read whole (the prior ones
// before t seeding the baselines), in order; an error of f stops it and is
// returned, and the reader is let go.
func TestEachJudged(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWriter(ctx, filepath.Join(t.TempDir(), "h.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var rs []Run
	for i := range 5*judgedBatch + 7 {
		code := i % 13 / 12 // one in 13 failed
		st := t0.Add(time.Duration(i) * 10 * time.Minute)
		rs = append(rs, Run{Job: []string{"a", "b", "c"}[i%3], Host: "local", Start: st, End: st.Add(time.Duration(100+i%17*40) * time.Second), ExitCode: &code,
			Counts: map[string]int{"errors": i % 5}})
	}
	if _, err := s.AddRuns(ctx, rs); err != nil {
		t.Fatal(err)
	}
	since := rs[40].Start
	limit := func(string) time.Duration { return 0 }
	want := Judge(rs[:40], rs[40:], limit)
	var got []Judged
	err = s.EachJudged(ctx, "", since, []string{"a", "b", "c"}, limit, func(n int, j Judged) error {
		if n != len(want) {
			t.Fatalf("n = %d, want %d", n, len(want))
		}
		got = append(got, j)
		return nil
	})
	if err != nil || len(got) != len(want) {
		t.Fatalf("%d runs, %v; want %d", len(got), err, len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if !g.Start.Equal(w.Start) || g.Job != w.Job || !slices.Equal(g.Flags, w.Flags) || g.Baseline.Median != w.Baseline.Median || g.Baseline.P90 != w.Baseline.P90 || g.Counts["errors"] != w.Counts["errors"] {
			t.Fatalf("run %d: %+v, want %+v", i, g, w)
		}
	}
	stop := errors.New("stop")
	seen := 0
	err = s.EachJudged(ctx, "", since, []string{"a", "b", "c"}, limit, func(int, Judged) error {
		if seen++; seen == judgedBatch+3 {
			return stop
		}
		return nil
	})
	if err != stop || seen != judgedBatch+3 {
		t.Errorf("stopped after %d with %v, want %d with its error", seen, err, judgedBatch+3)
	}
}
