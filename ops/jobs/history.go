package jobs

import (
	"context"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// HistoryRuns is how many recent runs per job the console reads.
const HistoryRuns = 20

// History reads each configured job's last HistoryRuns recorded runs from
// the history database (read-only). history.ErrNoDatabase when the watch
// service has not created it yet.
func History(ctx context.Context, cfg *config.Config) (map[string]history.JobRuns, error) {
	s, err := history.OpenReader(ctx, cfg.History.Path, history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := map[string]history.JobRuns{}
	for _, j := range cfg.Jobs {
		r, err := s.Recent(ctx, j.Name, HistoryRuns, j.MaxRuntime.Duration)
		if err != nil {
			return nil, err
		}
		out[j.Name] = r
	}
	return out, nil
}
