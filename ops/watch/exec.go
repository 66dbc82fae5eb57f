package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strconv"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// Exec is `richsops jobs exec`: the waiting parent of one run. It starts
// argv with the inherited stdin, stdout and stderr (a crontab line's `>> log
// 2>&1` applies to the job as before), records the start, waits, and records
// the end with the exit code, the signal that killed it and the counts from
// its log. It is the process on the box itself, so the child is started
// here rather than through a Host (whose Run captures the output).
//
// History is best effort: when the store cannot be opened or written, the
// job runs all the same and warn says why. The result is the job's exit
// status (128+signal when killed), for cron's mail and the caller.
type Exec struct {
	Cfg     *config.Config
	Host    host.Host // local
	Store   *history.Store
	Job     string
	Argv    []string
	Trigger string
	// User, when set, is who the job runs as (the waiting parent stays
	// root to write the history); "" = as this process.
	User   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Warn   func(string)
}

// Run runs the job and returns its exit status.
func (e *Exec) Run(ctx context.Context) (int, error) {
	if len(e.Argv) == 0 {
		return 2, errors.New("no command after --")
	}
	j, ok := e.Cfg.Job(e.Job)
	if !ok {
		return 2, config.Errorf(e.Cfg.T, "no job named %q in the config", "設定に %q というジョブはありません", e.Job)
	}
	cmd := exec.Command(e.Argv[0], e.Argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	// Its own process group, as a job run now directly is: kill of the
	// job's group (jobs kill, the guard) reaches the job and its workers.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	runAs := currentUser()
	if e.User != "" {
		cred, u, err := host.UserCredential(e.User)
		if err != nil {
			return 2, fmt.Errorf("--user %q: %w", e.User, err)
		}
		cmd.SysProcAttr.Credential = cred
		runAs = u.Username
	}
	logFrom := LogSize(ctx, e.Host, e.Cfg.JobLogPath(j))
	// Signals sent to the waiting parent (systemctl stop, kill of the
	// cron line) are passed on to the job, which decides how to end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 127, err
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	r := history.Run{Job: e.Job, Host: e.Host.Name(), PID: cmd.Process.Pid, Start: time.Now(), Trigger: e.Trigger,
		User: runAs, SudoUser: os.Getenv("SUDO_USER"), Argv: e.Argv, Source: history.SourceExec, LogFrom: logFrom}
	if r.Trigger == "" {
		r.Trigger = history.TriggerCLI
	}
	var id int64
	if e.Store != nil {
		var err error
		if id, err = e.Store.StartRun(ctx, r); err != nil {
			e.warn("history: " + err.Error())
		}
	}
	werr := cmd.Wait()
	end := history.End{At: time.Now()}
	code := cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
		// Who sent it is not known here; a richsops kill or the guard
		// marks the run before signalling, and EndRun keeps that.
		end.KilledBy = "signal " + ws.Signal().String()
	} else if werr != nil && code < 0 {
		e.warn(werr.Error())
	}
	end.ExitCode = &code
	if e.Store != nil && id != 0 {
		end = EndOf(ctx, e.Cfg, e.Host, e.Store, r, end)
		if err := e.Store.EndRun(ctx, id, end); err != nil {
			e.warn("history: " + err.Error())
		}
	}
	return code, nil
}

func (e *Exec) warn(s string) {
	if e.Warn != nil {
		e.Warn(s)
	}
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}
