package history

import (
	"encoding/json"
	"maps"
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
