// Package watchcmd is `richsops watch` (the service that samples the box,
// records job runs and runs the guard's loop), `richsops history` and the
// history side of `richsops jobs`: `jobs runs` and `jobs exec`.
package watchcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/cli/guardcmd"
	"github.com/richs/richsops/cli/jobscmd"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/watch"
)

const usage = `richsops watch [--interval 30s] [--no-guard]
richsops watch --once [--no-guard]

Every watch.interval samples the disks of /, the datadir (on the database
host) and the public folder, the binary logs' total, load and memory, and
follows the job processes, recording each run's start and end in the
history database (history.path). The guard's loop (richsops guard) runs
inside it on guard.interval; --no-guard leaves it out. --once: one sample,
one probe and one look of each interlock, for cron. A full or locked
database stops history writes, never the guard or an interlock.
The Amazon hold (jobs with amazon = true paused during a block, resumed
when it is quiet) and catch-up (watch.catch_up = "auto": a missed run
started once) run beside it on watch.interval; the brake on mass
withdrawal (jobs with a [jobs.brake]) every 5s, with or without the
guard.`

const historyUsage = `richsops history [--since 24h] [--metric NAME] [--json]
richsops history --events [--since 24h] [--json]

The samples richsops watch recorded: full rate for history.samples_full,
then hourly aggregates (min, max, average). --events: the guard's
decisions and every audited action's outcome.`

func init() {
	cli.Register(cli.Command{Name: "watch", Summary: "sample the box and record job runs (the guard's loop inside)", Usage: usage, Run: runWatch})
	cli.Register(cli.Command{Name: "history", Summary: "the recorded samples (disks, binary logs, load, memory)", Usage: historyUsage, Run: runHistory})
	jobscmd.Sub("runs", runRuns)
	jobscmd.Sub("exec", runExec)
	jobscmd.Sub("wrap", func(env *cli.Env, args []string) error { return runWrap(env, args, false) })
	jobscmd.Sub("unwrap", func(env *cli.Env, args []string) error { return runWrap(env, args, true) })
	jobs.ExecWrapper = execWrapper
	cli.OnNewEnv(func(env *cli.Env) {
		env.Gate.OnEnd = actionEvent(env.Cfg)
		cfg := env.Cfg
		jobs.OnKill = func(ctx context.Context, hostName string, pid int, by string) {
			withHistory(cfg, func(s *history.Store) { _ = s.MarkKilled(ctx, hostName, pid, by) })
		}
	})
}

// withHistory runs fn on the history database when there is one (it is
// not created for this), with a short lock wait: best effort beside an
// action that is audited anyway.
func withHistory(cfg *config.Config, fn func(*history.Store)) {
	if _, err := os.Stat(cfg.History.Path); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{BusyTimeout: time.Second})
	if err != nil {
		return
	}
	defer s.Close()
	fn(s)
}

// actionEvent records each audited action's outcome as an event.
func actionEvent(cfg *config.Config) func(gate.Record) {
	return func(rec gate.Record) {
		level := "ok"
		if rec.Outcome != "ok" {
			level = "warn"
		}
		detail := rec.Summary
		if rec.Error != "" {
			detail = strings.TrimSpace(detail + " " + rec.Error)
		}
		source := rec.Actor
		if source == "" {
			source = rec.User
		}
		withHistory(cfg, func(s *history.Store) {
			_ = s.AddEvent(context.Background(), history.Event{Time: rec.Time, Kind: history.EventAction, Source: source,
				Subject: rec.Action + " " + rec.Target + "@" + rec.Host, Level: level, Detail: detail})
		})
	}
}

// selfPath is this binary's path for a crontab line or a waiting parent;
// "richsops" (from PATH) when it is not named richsops (a test binary):
// the wrapper is found again by that name.
func selfPath() string {
	self, err := os.Executable()
	if err != nil || !strings.HasPrefix(filepath.Base(self), "richsops") {
		return "richsops"
	}
	return self
}

// runWrap is `jobs wrap NAME` / `jobs unwrap NAME`: the crontab edit
// through the gate.
func runWrap(env *cli.Env, args []string, unwrap bool) error {
	sub := "wrap"
	if unwrap {
		sub = "unwrap"
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return cli.Usagef("jobs %s: want one job NAME", sub)
	}
	if _, ok := env.Cfg.Job(args[0]); !ok {
		return cli.Usagef("jobs %s: %q is not a configured job (see richsops jobs list)", sub, args[0])
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	a, err := jobs.WrapAction(context.Background(), h, env.Cfg, args[0], host.SelfCommand(h, selfPath()), unwrap)
	if err != nil {
		return err
	}
	_, err = env.Do(a)
	return err
}

// execWrapper is the waiting parent run now starts a job through: this
// binary's `jobs exec`, with the same config.
func execWrapper(cfg *config.Config, job, trigger, asUser string) []string {
	argv := []string{selfPath()}
	if cfg.Path != "" {
		argv = append(argv, "--config", cfg.Path)
	}
	argv = append(argv, "jobs", "exec", "--trigger", trigger)
	if asUser != "" {
		argv = append(argv, "--user", asUser)
	}
	return append(argv, job, "--")
}

// lockWatch takes the one watch service's lock (watch.lock in lock_dir,
// through the shared primitive), without waiting: a second watch refuses.
func lockWatch(cfg *config.Config) (func(), error) {
	unlock, err := host.LockFile(context.Background(), cfg.LockDir, "watch.lock", time.Nanosecond)
	if errors.Is(err, host.ErrLockTimeout) {
		p := filepath.Join(cfg.LockDir, "watch.lock")
		return nil, config.Errorf(cfg.T, "another richsops watch is running (%s is locked)", "別の richsops watch が動いています（%s がロック中）", p)
	}
	return unlock, err
}

func histOptions(cfg *config.Config) history.Options {
	return history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration}
}

type watchOpts struct {
	once, noGuard bool
	interval      time.Duration
}

func parseWatch(args []string) (watchOpts, error) {
	var o watchOpts
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.once, "once", false, "")
	fs.BoolVar(&o.noGuard, "no-guard", false, "")
	fs.DurationVar(&o.interval, "interval", 0, "")
	if err := fs.Parse(args); err != nil {
		return o, cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return o, cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	if o.interval < 0 || (o.interval > 0 && o.interval < time.Second) {
		return o, cli.Usagef("--interval must be at least 1s")
	}
	return o, nil
}

// service is the history side of the watch service: it (re)opens the store
// on demand, so that a database that could not be opened (full disk, moved
// aside) is retried on the next tick instead of ending the service.
type service struct {
	env     *cli.Env
	mu      sync.Mutex
	store   *history.Store
	lastErr string
}

func (s *service) open(ctx context.Context) *history.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store != nil {
		return s.store
	}
	st, err := history.OpenWriter(ctx, s.env.Cfg.History.Path, histOptions(s.env.Cfg))
	if err != nil {
		s.warn("history: " + err.Error())
		return nil
	}
	if st.Notice != "" {
		fmt.Fprintln(s.env.Stderr, "richsops watch: "+sanitize.String(st.Notice))
	}
	s.store = st
	return st
}

// warn prints an error once until a different one comes: a full disk is
// said clearly, not every 30 seconds.
func (s *service) warn(msg string) {
	if msg == s.lastErr {
		return
	}
	s.lastErr = msg
	fmt.Fprintf(s.env.Stderr, "%s richsops watch: %s\n", time.Now().Format(time.RFC3339), sanitize.String(msg))
}

func (s *service) tick(ctx context.Context, w *watch.Watcher) watch.Tick {
	st := s.open(ctx)
	if st == nil {
		return watch.Tick{Time: time.Now(), Errors: []string{s.lastErr}}
	}
	w.Store = st
	t := w.Once(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(t.Errors) == 0 {
		s.lastErr = ""
	}
	for _, e := range t.Errors {
		s.warn(e)
	}
	return t
}

// guardEvent records a guard probe that changed something: an action, an
// error, or a change between healthy and not. Best effort, after the
// probe: the interlock never waits for history.
func (s *service) guardEvent(ctx context.Context, prev *bool, step guard.Step, err error) {
	changed := prev == nil || *prev != step.Healthy
	if !changed && !step.Acted && err == nil && len(step.Errors) == 0 {
		return
	}
	s.mu.Lock()
	st := s.store
	s.mu.Unlock()
	if st == nil {
		return
	}
	level, detail := "ok", step.Reason
	if !step.Healthy {
		level = "warn"
	}
	if step.Acted {
		level = "crit"
	}
	parts := append([]string{detail}, append(step.Did, step.Errors...)...)
	if err != nil {
		level, parts = "crit", append(parts, err.Error())
	}
	_ = st.AddEvent(ctx, history.Event{Time: time.Now(), Kind: history.EventGuard, Source: "watch", Subject: "index-linux", Level: level, Detail: strings.Join(parts, "; ")})
}

func runWatch(env *cli.Env, args []string) error {
	o, err := parseWatch(args)
	if err != nil {
		return err
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	unlock, err := lockWatch(env.Cfg)
	if err != nil {
		return err
	}
	defer unlock()
	svc := &service{env: env}
	defer func() {
		if svc.store != nil {
			svc.store.Close()
		}
	}()
	w := &watch.Watcher{Cfg: env.Cfg, Hosts: env.Hosts, Host: h, SkipDB: env.Cfg.Database.DSN == ""}
	defer w.Close()
	var g *guard.Guard
	if !o.noGuard {
		g = guard.New(env.Cfg, env.Hosts, h, env.Gate, 0, "")
	}
	if o.once {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		code := cli.ExitOK
		x := &interlockEnv{Env: env, Host: h, Sink: newSink(ctx, env, svc), svc: svc}
		if g != nil {
			// The guard first: its interlock must not wait for the sampling.
			step, err := g.Once(ctx)
			guardcmd.Report(env, step, err)
			svc.open(ctx)
			svc.guardEvent(ctx, nil, step, err)
			if err != nil {
				code = guardcmd.ExitError
			}
		}
		t := svc.tick(ctx, w)
		report(env, t)
		if len(t.Errors) > 0 && code == cli.ExitOK {
			code = cli.ExitFail
		}
		for _, il := range interlocks {
			if il.once == nil {
				continue
			}
			if err := il.once(ctx, x); err != nil {
				fmt.Fprintf(env.Stdout, "  ERROR: %s: %s\n", il.name, sanitize.String(err.Error()))
				if code == cli.ExitOK {
					code = cli.ExitFail
				}
			}
		}
		return cli.ExitError{Code: code}
	}
	interval := o.interval
	if interval == 0 {
		interval = env.Cfg.Watch.Interval.Duration
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	guardNote := ", no guard"
	if g != nil {
		guardNote = ", guard every " + env.Cfg.Guard.Interval.Duration.String()
	}
	fmt.Fprintf(env.Stderr, "richsops watch: every %s into %s%s\n", interval, env.Cfg.History.Path, guardNote)
	var wg sync.WaitGroup
	svc.open(ctx)
	x := &interlockEnv{Env: env, Host: h, Sink: newSink(ctx, env, svc), svc: svc}
	for _, il := range interlocks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			il.run(ctx, x)
		}()
	}
	if g != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prev *bool
			g.Loop(ctx, env.Cfg.Guard.Interval.Duration, func(s guard.Step, err error) {
				guardcmd.Report(env, s, err)
				svc.guardEvent(ctx, prev, s, err)
				healthy := s.Healthy
				prev = &healthy
			})
		}()
	}
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		t := svc.tick(ctx, w)
		if env.JSON {
			report(env, t)
		} else {
			for _, s := range t.Started {
				fmt.Fprintf(env.Stdout, "%s started %s\n", t.Time.Format(time.RFC3339), sanitize.String(s))
			}
			for _, s := range t.Ended {
				fmt.Fprintf(env.Stdout, "%s ended %s\n", t.Time.Format(time.RFC3339), sanitize.String(s))
			}
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-tk.C:
		}
	}
}

func report(env *cli.Env, t watch.Tick) {
	if env.JSON {
		_ = env.PrintJSON(t)
		return
	}
	fmt.Fprintf(env.Stdout, "%s watch: %d samples, started %d, ended %d\n", t.Time.Format(time.RFC3339), t.Samples, len(t.Started), len(t.Ended))
	for _, s := range append(t.Started, t.Ended...) {
		fmt.Fprintf(env.Stdout, "  %s\n", sanitize.String(s))
	}
	for _, e := range t.Errors {
		fmt.Fprintf(env.Stdout, "  ERROR: %s\n", sanitize.String(e))
	}
}
