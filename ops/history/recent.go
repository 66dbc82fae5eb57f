package history

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/richs/richsops/ops/sanitize"
)

// JobRuns is what the console shows of one job: its last runs, each
// judged against the complete runs before it, and its baseline now.
type JobRuns struct {
	Runs     []Judged // oldest first, at most the n asked for
	Baseline Baseline // over the BaselineRuns most recent complete runs
}

// Last is the most recent run, ok false when none is recorded.
func (j JobRuns) Last() (Judged, bool) {
	if len(j.Runs) == 0 {
		return Judged{}, false
	}
	return j.Runs[len(j.Runs)-1], true
}

// CountsText is a run's counts as name=value pairs in name order, the
// names passed through the display sanitizer (they come from the config).
func CountsText(m map[string]int) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		out = append(out, fmt.Sprintf("%s=%d", sanitize.String(k), m[k]))
	}
	return strings.Join(out, " ")
}

// Recent is the last n runs of job with their flags and the job's
// baseline; maxRuntime is the job's limit (0 = none).
func (s *Store) Recent(ctx context.Context, job string, n int, maxRuntime time.Duration) (JobRuns, error) {
	rs, err := s.listRuns(ctx, n, `WHERE job = ? ORDER BY start_ms DESC, id DESC LIMIT ?`, job, n)
	if err != nil || len(rs) == 0 {
		return JobRuns{}, err
	}
	slices.Reverse(rs)
	prior, err := s.RecentComplete(ctx, job, rs[0].Start, BaselineRuns)
	if err != nil {
		return JobRuns{}, err
	}
	now, err := s.RecentComplete(ctx, job, time.UnixMilli(1<<62), BaselineRuns)
	if err != nil {
		return JobRuns{}, err
	}
	limit := func(string) time.Duration { return maxRuntime }
	return JobRuns{Runs: Judge(prior, rs, limit), Baseline: BaselineOf(now)}, nil
}
