package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

// SrcRuns is the source of the jobs' last recorded runs.
const SrcRuns = "runs"

func init() {
	register(Collector{Name: SrcRuns, Timeout: 10 * time.Second, Run: Runs})
}

// lastRunWindow is how far back a job's last run is looked for.
const lastRunWindow = 30 * 24 * time.Hour

// abnormal are the flags of a last run that `check` warns about.
var abnormal = []string{history.FlagFailed, history.FlagKilled, history.FlagTooLong, history.FlagTooShort}

// Runs: each job's last finished run (recorded by richsops watch or jobs
// exec) that failed, was killed, or ran too long or too short against its
// baseline is a warning. Without a history database there is nothing to
// judge: no items (the watch service is optional).
func Runs(ctx context.Context, cfg *config.Config, _ *host.Registry) attention.Report {
	t := cfg.T
	s, err := history.OpenReader(ctx, cfg.History.Path, history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration})
	if errors.Is(err, history.ErrNoDatabase) {
		return report(SrcRuns, nil)
	}
	if err != nil {
		return report(SrcRuns, []attention.Item{couldNotRun(SrcRuns, err.Error())})
	}
	defer s.Close()
	var names []string
	for _, j := range cfg.Jobs {
		names = append(names, j.Name)
	}
	judged, err := s.JudgedRuns(ctx, "", time.Now().Add(-lastRunWindow), names, func(name string) time.Duration {
		j, _ := cfg.Job(name)
		return j.MaxRuntime.Duration
	})
	if err != nil {
		return report(SrcRuns, []attention.Item{couldNotRun(SrcRuns, err.Error())})
	}
	last := map[string]history.Judged{}
	for _, j := range judged {
		if !j.End.IsZero() {
			last[j.Job] = j
		}
	}
	var items []attention.Item
	for _, name := range names {
		j, ok := last[name]
		if !ok {
			continue
		}
		var bad []string
		for _, f := range j.Flags {
			if slices.Contains(abnormal, f) {
				bad = append(bad, f)
			}
		}
		if len(bad) == 0 {
			continue
		}
		items = append(items, attention.Item{Severity: attention.Warn, Area: attention.AreaJobs,
			Text: fmt.Sprintf(t("%s: last run %s (started %s, %s)", "%s: 前回の実行が %s（開始 %s、%s）"),
				sanitize.String(name), strings.Join(bad, ", "), j.Start.Format("2006-01-02 15:04"), runDetail(j, t))})
	}
	return report(SrcRuns, items)
}

// runDetail says how a run ended and how long it took against its baseline.
func runDetail(j history.Judged, t func(en, ja string) string) string {
	parts := []string{fmt.Sprintf(t("took %s", "所要 %s"), j.Duration().Round(time.Second))}
	if j.Baseline.Runs > 0 {
		parts = append(parts, fmt.Sprintf(t("usually %s", "通常 %s"), j.Baseline.Median.Round(time.Second)))
	}
	if j.ExitCode != nil {
		parts = append(parts, fmt.Sprintf(t("exit %d", "終了コード %d"), *j.ExitCode))
	}
	if j.KilledBy != "" {
		parts = append(parts, fmt.Sprintf(t("killed by %s", "%s により停止"), sanitize.String(j.KilledBy)))
	}
	return strings.Join(parts, ", ")
}
