package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Activity is the sandbox's background life: the index-linux health
// server, a redis-server (when one is installed), the sandbox's mariadbd
// (when MariaDB is installed), the log writer and the stock-check jobs
// started at the beginning.
type Activity struct {
	s      *Sandbox
	health *http.Server
	kids   []*exec.Cmd // redis-server, demo-writer: same process group as us
	// The server's first start runs in the background: dbStop cancels it,
	// dbDone closes when it ended, with dbErr.
	dbStop context.CancelFunc
	dbDone chan struct{}
	dbErr  error
}

// RunOptions control Start.
type RunOptions struct {
	// Jobs are started (detached, like cron's) at the beginning.
	Jobs []string
	// Log gets what the activity has to say once Start returned (the
	// server's start, with timings, or why it failed); nil discards it.
	Log io.Writer
}

// DefaultJobs are the jobs a demo starts with: a Mercari withdraw check
// and a Yahoo revive, so the Jobs tab has something running.
var DefaultJobs = []string{"check_item_mercari", "update_item_yahoo"}

// Start brings the sandbox to life. Stop ends all of it.
func Start(s *Sandbox, o RunOptions) (*Activity, error) {
	a := &Activity{s: s}
	_ = Register(s, os.Getpid(), "run", os.Args)
	if s.DBReal {
		// In the background: initialising a datadir takes seconds, while
		// the health server and the jobs start; WaitDB waits for it.
		log := o.Log
		if log == nil {
			log = io.Discard
		}
		ctx, cancel := context.WithCancel(context.Background())
		a.dbStop, a.dbDone = cancel, make(chan struct{})
		go func() {
			defer close(a.dbDone)
			if a.dbErr = bringUpDB(ctx, s, log); a.dbErr != nil && ctx.Err() == nil {
				fmt.Fprintf(log, "mariadbd: %v\n", a.dbErr)
			}
		}()
	}
	var err error
	if a.health, err = ServeHealth(s); err != nil {
		a.Stop() // the server's start has begun
		return nil, err
	}
	if s.RedisReal {
		dir := filepath.Join(s.RunDir(), "redis")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			a.Stop()
			return nil, err
		}
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(s.RedisPort), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir,
			"--logfile", filepath.Join(dir, "redis.log"))
		if err := a.spawn(cmd, "redis"); err != nil {
			a.Stop()
			return nil, fmt.Errorf("redis-server: %w", err)
		}
	}
	writer := exec.Command(s.Bin, "demo-writer", "--dir", s.Dir)
	if err := a.spawn(writer, "writer"); err != nil {
		a.Stop()
		return nil, fmt.Errorf("demo-writer: %w", err)
	}
	// The watch service, as on the box: it records the runs the demo's
	// jobs make into the seeded history. Its guard is left out: the demo's
	// crontab changes only when the operator asks.
	watch := exec.Command(s.Bin, "watch", "--config", s.ConfigPath(), "--no-guard", "--interval", "10s")
	if err := a.spawn(watch, "watch"); err != nil {
		a.Stop()
		return nil, fmt.Errorf("watch: %w", err)
	}
	for _, j := range o.Jobs {
		if _, err := StartJob(s, j); err != nil {
			a.Stop()
			return nil, err
		}
	}
	return a, nil
}

func (a *Activity) spawn(cmd *exec.Cmd, role string) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	a.kids = append(a.kids, cmd)
	_ = Register(a.s, cmd.Process.Pid, role, cmd.Args)
	return nil
}

// WaitDB waits until the server's first start has ended and returns its
// error (nil at once for a sandbox without a server of its own), or until
// ctx ends.
func (a *Activity) WaitDB(ctx context.Context) error {
	if a.dbDone == nil {
		return nil
	}
	select {
	case <-a.dbDone:
		return a.dbErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop shuts the health server, stops the sandbox's mariadbd (cleanly,
// waiting for it), our children and every recorded process (the detached
// jobs included), and reports any left alive.
func (a *Activity) Stop() error {
	if a.health != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = a.health.Shutdown(ctx)
		cancel()
	}
	var dbErr error
	if a.s.DBReal {
		if a.dbStop != nil {
			a.dbStop()
			<-a.dbDone
		}
		// Whoever started it last (we or the systemctl stand-in).
		dbErr = stopDBUnit(a.s)
	}
	for _, c := range a.kids {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	for _, c := range a.kids {
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
		Unregister(a.s, c.Process.Pid)
	}
	left := StopAll(a.s, 5*time.Second)
	Unregister(a.s, os.Getpid())
	if len(left) > 0 {
		return errors.Join(dbErr, fmt.Errorf("%d sandbox processes would not stop: %v", len(left), left))
	}
	return dbErr
}

// JobArgv is how cron (and the Jobs tab) runs a stock check in the sandbox.
func (s *Sandbox) JobArgv(name string) []string {
	return []string{filepath.Join(s.BinDir(), "python"), "manage.py", name, "2", "4", "--max-workers", "14"}
}

// StartJob starts a stock check the way cron does: in the app folder,
// detached in its own session, output appended to the job's log. It
// returns the pid; the job records itself in D/run/pids.
func StartJob(s *Sandbox, name string) (int, error) {
	logName, ok := jobLogs[name]
	if !ok {
		return 0, fmt.Errorf("no demo job %q", name)
	}
	out, err := os.OpenFile(filepath.Join(s.LogDir(), logName), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	argv := s.JobArgv(name)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.AppDir()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "PATH="+s.BinDir()+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", name, err)
	}
	pid := cmd.Process.Pid
	// Record it now too: the job records itself only once it runs, and a
	// quick quit must not miss it.
	if err := Register(s, pid, "job", argv); err != nil && !errors.Is(err, os.ErrNotExist) {
		return pid, err
	}
	go func() { _ = cmd.Wait() }() // reap it while we live
	return pid, nil
}
