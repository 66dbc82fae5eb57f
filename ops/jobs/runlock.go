package jobs

import (
	"context"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// RunLockWait bounds how long a run-now waits for another richsops process
// that is starting the same job.
const RunLockWait = 60 * time.Second

// runLockName is the lock file of job's run-now in cfg.LockDir.
func runLockName(job string) string { return "jobs-run-" + job + ".lock" }

// LockRun takes the per-job run-now lock on h: an exclusive flock(2) on
// a file in cfg.LockDir on h (Host.Lock), so that the
// running-check and the start of one richsops process are never interleaved
// with another's. It returns the release. This is the one place richsops'
// jobs take a lock; it is to become the shared lock primitive.
func LockRun(ctx context.Context, h host.Host, cfg *config.Config, job string) (func(), error) {
	unlock, err := h.Lock(ctx, cfg.LockDir, runLockName(job), RunLockWait)
	if err != nil {
		return nil, config.Errorf(cfg.T, "lock %s: %v (another richsops is starting this job)", "ロック %s: %v（別の richsops がこのジョブを開始中です）",
			cfg.LockDir+"/"+runLockName(job), err)
	}
	return unlock, nil
}
