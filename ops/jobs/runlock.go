package jobs

import (
	"bufio"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strconv"
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
// a file in cfg.LockDir (on h itself when it is remote), so that the
// running-check and the start of one richsops process are never interleaved
// with another's. It returns the release. This is the one place richsops'
// jobs take a lock; it is to become the shared lock primitive.
func LockRun(ctx context.Context, h host.Host, cfg *config.Config, job string) (func(), error) {
	if h.IsLocal() {
		return flockLocal(ctx, cfg.LockDir, runLockName(job), RunLockWait, cfg.T)
	}
	return flockRemote(ctx, h, cfg.LockDir, runLockName(job), RunLockWait, cfg.T)
}

// flockLocal waits up to wait for the lock on dir/name, through the one
// local lock primitive.
func flockLocal(ctx context.Context, dir, name string, wait time.Duration, t func(en, ja string) string) (func(), error) {
	unlock, err := host.LockFile(ctx, dir, name, wait)
	if errors.Is(err, host.ErrLockTimeout) || (err != nil && ctx.Err() != nil) {
		return nil, lockBusy(filepath.Join(dir, name), err, t)
	}
	return unlock, err
}

func lockBusy(path string, err error, t func(en, ja string) string) error {
	return config.Errorf(t, "lock %s: %v (another richsops is starting this job)", "ロック %s: %v（別の richsops がこのジョブを開始中です）", path, err)
}

// remoteLockScript holds an flock on the remote host for as long as its
// stdin stays open: it says "locked" once it has the lock and keeps it
// until richsops closes stdin (or ssh goes away, which closes it too).
// Every value arrives as a positional parameter.
const remoteLockScript = `mkdir -p -- "$1" || exit 1
exec flock -w "$3" -- "$1/$2" sh -c 'echo locked; exec cat >/dev/null'`

// flockRemote is flockLocal on a host reached over ssh, through flock(1).
func flockRemote(ctx context.Context, h host.Host, dir, name string, wait time.Duration, t func(en, ja string) string) (func(), error) {
	stdinR, stdinW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := h.Run(ctx, host.Cmd{
			Argv:  []string{"sh", "-c", remoteLockScript, "richsops-lock", dir, name, strconv.Itoa(int(wait.Seconds()))},
			Stdin: stdinR, Stdout: outW, Timeout: -1,
		})
		outW.CloseWithError(io.EOF)
		done <- err
	}()
	br := bufio.NewReader(outR)
	line, _ := br.ReadString('\n')
	go io.Copy(io.Discard, br)
	if line == "locked\n" {
		return func() { stdinW.Close(); <-done }, nil
	}
	stdinW.Close()
	err := <-done
	if err == nil {
		err = errors.New("no lock")
	}
	return nil, lockBusy(dir+"/"+name, err, t)
}
