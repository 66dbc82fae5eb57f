package history

import (
	"context"
	"os"
	"time"

	"github.com/richs/richsops/ops/host"
)

// FillYear writes a simulated year of history at the defaults ending at
// from+365d, prunes and checkpoints, and returns the file size in MB: for
// the size test and bench/history.sh.
func FillYear(ctx context.Context, s *Store, from time.Time) (float64, error) {
	end := from.Add(365 * 24 * time.Hour)
	full := end.Add(-DefaultRetention.SamplesFull)
	metrics := []string{MetricDiskRoot, MetricDiskDatadir, MetricDiskPublic, MetricFreeRoot, MetricFreeDatadir, MetricFreePublic, MetricBinlogBytes, MetricLoad1, MetricMemPercent}
	step := time.Hour
	var batch []Sample
	flush := func() error {
		err := s.AddSamples(ctx, batch)
		batch = batch[:0]
		return err
	}
	for t := from; t.Before(end); t = t.Add(step) {
		if !t.Before(full) {
			step = 30 * time.Second
		}
		for i, m := range metrics {
			batch = append(batch, Sample{Metric: m, Host: host.LocalName, Time: t, Value: float64(t.Unix()%1000) + float64(i)/7})
		}
		if len(batch) >= 9*2880 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	jobs := []string{"check_item_mercari", "update_item_mercari", "check_item_amazon", "update_item_amazon"}
	var runs []Run
	for t := from; t.Before(end); t = t.Add(time.Hour) {
		for i, j := range jobs {
			code := 0
			st := t.Add(time.Duration(i) * time.Minute)
			runs = append(runs, Run{Job: j, Host: host.LocalName, PID: 1000 + i, Start: st, End: st.Add(17 * time.Minute), ExitCode: &code, Trigger: TriggerCron, User: "richs",
				Argv: []string{"python", "manage.py", j, "2", "4", "--max-workers", "14"}, Counts: map[string]int{"errors": i, "amazon_503": 0}, Source: SourceExec})
		}
		if t.Minute() == 0 && t.Hour()%6 == 0 {
			if err := s.AddEvent(ctx, Event{Time: t, Kind: EventGuard, Source: "guard", Subject: "index-linux", Level: "ok", Detail: "healthy (3/3)"}); err != nil {
				return 0, err
			}
		}
	}
	if _, err := s.AddRuns(ctx, runs); err != nil {
		return 0, err
	}
	if err := s.Prune(ctx, end, DefaultRetention); err != nil {
		return 0, err
	}
	if err := s.Checkpoint(ctx); err != nil {
		return 0, err
	}
	st, err := os.Stat(s.Path())
	if err != nil {
		return 0, err
	}
	return float64(st.Size()) / (1 << 20), nil
}
