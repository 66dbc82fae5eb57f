package watchcmd

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/history"
)

// Values of `jobs runs NAME --zabbix`, the scale of `check --zabbix` with
// one more for a job that has no result yet.
const (
	zabbixOK       = 0
	zabbixAbnormal = 1 // too long or too short
	zabbixFailed   = 2 // a non-zero exit or killed
	zabbixNoRun    = -1
)

// zabbixLookback is how many of a job's newest runs are read to find the
// newest finished one: a run in progress has no result yet.
const zabbixLookback = 5

// zabbixValue is the result of the newest finished run of runs (oldest
// first). A run in progress is passed over, so an item does not drop to
// OK for the length of every run after a failure.
func zabbixValue(runs []history.Judged) int {
	for i := len(runs) - 1; i >= 0; i-- {
		f := runs[i].Flags
		switch {
		case slices.Contains(f, history.FlagRunning):
			continue
		case slices.Contains(f, history.FlagFailed), slices.Contains(f, history.FlagKilled):
			return zabbixFailed
		case slices.Contains(f, history.FlagTooLong), slices.Contains(f, history.FlagTooShort):
			return zabbixAbnormal
		default:
			return zabbixOK
		}
	}
	return zabbixNoRun
}

// runsZabbix prints the last run's result of job as one number for a
// Zabbix UserParameter and exits 0. A history that cannot be read is an
// error (its message becomes the item's "not supported" reason), never
// "no run".
func runsZabbix(env *cli.Env, job string, vals map[string]string) error {
	t := env.Cfg.T
	if job == "" {
		return cli.UsageT(t, "jobs runs --zabbix: want one job NAME", "jobs runs --zabbix: ジョブ名 NAME を 1 つ指定してください")
	}
	if _, ok := vals["--since"]; ok {
		return cli.UsageT(t, "jobs runs --zabbix takes no --since: it reads the job's newest runs, however old",
			"jobs runs --zabbix に --since は使えません: 期間によらずジョブの最新の実行を読みます")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := openReader(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	j, _ := env.Cfg.Job(job)
	recent, err := s.Recent(ctx, job, zabbixLookback, j.MaxRuntime.Duration)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, zabbixValue(recent.Runs))
	return nil
}
