// Package jobscmd is `richsops jobs`: the Jobs tab headless, with the same
// checks and the same gate.
package jobscmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
)

const usage = `richsops jobs list [--json]                      each job: schedule, state, next run, processes, last run, MISSED
richsops jobs run [--force] [--override] [--args "2 4 --max-workers 14"] NAME
                                                 start it now as app.user in app.dir, output appended to its log;
                                                 --force: even if it is running; --override: even if its guard
                                                 (index-linux) is unhealthy (asks to type OVERRIDE)
richsops jobs kill [--pid N] [--wait 10s] NAME   SIGTERM, wait, SIGKILL one process or all of the job
richsops jobs pause [--kill] NAME                comment out its crontab lines, reload cron (--kill: stop its processes too)
richsops jobs resume [--run] NAME                restore the lines richsops paused, reload cron (--run: then run it now)
richsops jobs runs [NAME] [--since 7d] [--json]  recorded runs (from richsops watch): duration, exit code, trigger, flags
richsops jobs exec [--trigger cron] [--user U] NAME -- ARGV...
                                                 run ARGV as a run of NAME and record its start, end and exit code
                                                 (for a crontab line; exits with ARGV's status; --user: run it as U)
richsops jobs wrap NAME | unwrap NAME            put richsops jobs exec before the job's command in its crontab
                                                 lines, or take it out again (byte-exact; pause and resume still work)`

func init() {
	cli.Register(cli.Command{Name: "jobs", Summary: "list, run, kill, pause and resume the stock checks", Usage: usage, Run: run})
}

// flags is the parsed command line: flags anywhere, one NAME.
type flags struct {
	name            string
	force, override bool
	kill, runAfter  bool
	args            []string
	argsSet         bool
	pid             int
	wait            time.Duration
}

func parse(sub string, args []string) (flags, error) {
	var f flags
	allowed := map[string][]string{
		"list": {}, "run": {"--force", "--override", "--args"}, "kill": {"--pid", "--wait"},
		"pause": {"--kill", "--wait"}, "resume": {"--run"},
	}[sub]
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		ok := false
		for _, x := range allowed {
			ok = ok || x == name
		}
		if !ok {
			return f, cli.Usagef("jobs %s: unknown flag %s", sub, name)
		}
		needsVal := name == "--args" || name == "--pid" || name == "--wait"
		if needsVal && !hasVal {
			if i+1 >= len(args) {
				return f, cli.Usagef("%s needs a value", name)
			}
			i++
			val = args[i]
		}
		switch name {
		case "--force":
			f.force = true
		case "--override":
			f.override = true
		case "--kill":
			f.kill = true
		case "--run":
			f.runAfter = true
		case "--args":
			f.args, f.argsSet = strings.Fields(val), true
		case "--pid":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return f, cli.Usagef("--pid: want a process id, got %q", val)
			}
			f.pid = n
		case "--wait":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return f, cli.Usagef("--wait: want a duration such as 10s, got %q", val)
			}
			f.wait = d
		}
	}
	switch {
	case sub == "list" && len(pos) > 0:
		return f, cli.Usagef("jobs list takes no name")
	case sub != "list" && len(pos) != 1:
		return f, cli.Usagef("jobs %s: want one job NAME", sub)
	case sub != "list":
		f.name = pos[0]
	}
	return f, nil
}

// subs are the subcommands other packages add (runs and exec, from the
// history commands).
var subs = map[string]func(env *cli.Env, args []string) error{}

// Sub adds `jobs NAME` (its usage is in this package's usage text).
func Sub(name string, f func(env *cli.Env, args []string) error) { subs[name] = f }

func run(env *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.Usagef("jobs: want list, run, kill, pause or resume")
	}
	sub := args[0]
	if f, ok := subs[sub]; ok {
		return f(env, args[1:])
	}
	switch sub {
	case "list", "run", "kill", "pause", "resume":
	default:
		return cli.Usagef("jobs: unknown subcommand %q", sub)
	}
	f, err := parse(sub, args[1:])
	if err != nil {
		return err
	}
	if f.name != "" {
		if _, ok := env.Cfg.Job(f.name); !ok {
			return cli.Usagef("jobs %s: %q is not a configured job (see richsops jobs list)", sub, f.name)
		}
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	switch sub {
	case "list":
		return list(ctx, env, h)
	case "run":
		return runNow(ctx, env, h, f)
	case "kill":
		a, err := jobs.KillAction(ctx, h, env.Cfg, f.name, f.pid, f.wait)
		if err != nil {
			return err
		}
		_, err = env.Do(a)
		return err
	case "pause":
		a, err := jobs.PauseAction(ctx, h, env.Cfg, f.name, f.kill, f.wait)
		if err != nil {
			return err
		}
		if f.kill && !strings.Contains(strings.Join(a.Preview, "\n"), "stop its running") {
			fmt.Fprintln(env.Stderr, "(no running process to stop)")
		}
		_, err = env.Do(a)
		return err
	default: // resume
		a, err := jobs.ResumeAction(ctx, h, env.Cfg, f.name)
		if err != nil {
			return err
		}
		if _, err := env.Do(a); err != nil || !f.runAfter {
			return err
		}
		return runNow(ctx, env, h, f)
	}
}

func runNow(ctx context.Context, env *cli.Env, h host.Host, f flags) error {
	spec := jobs.RunSpec{Job: f.name, Force: f.force, Override: f.override, Trigger: "cli"}
	if f.argsSet {
		spec.Args = f.args
	}
	a, err := jobs.RunAction(ctx, h, env.Cfg, spec, jobs.DefaultGuard)
	var ge *jobs.GuardError
	if errors.As(err, &ge) {
		return cli.ExitError{Code: cli.ExitFail, Err: fmt.Errorf(env.Cfg.T("%v\n  to start it anyway: richsops jobs run --override %s",
			"%v\n  それでも開始するには: richsops jobs run --override %s"), err, f.name)}
	}
	if errors.Is(err, jobs.ErrRunning) {
		return cli.ExitError{Code: cli.ExitFail, Err: fmt.Errorf(env.Cfg.T("%v\n  to start another instance: richsops jobs run --force %s",
			"%v\n  重複して実行するには: richsops jobs run --force %s"), err, f.name)}
	}
	if err != nil {
		return err
	}
	_, err = env.Do(a)
	return err
}

func list(ctx context.Context, env *cli.Env, h host.Host) error {
	st, err := jobs.Snapshot(ctx, h, env.Cfg, time.Now())
	if err != nil {
		return err
	}
	if env.JSON {
		if err := env.PrintJSON(st); err != nil {
			return err
		}
		return unreadParts(env, st)
	}
	now := time.Now()
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tSTATE\tSCHEDULE\tNEXT\tPROCS\tLAST RUN\tMISSED")
	for _, s := range st {
		next := "-"
		if !s.Next.IsZero() {
			next = s.Next.Format("01-02 15:04") + " (in " + human.Duration(s.Next.Sub(now)) + ")"
		}
		last, procs := "-", strconv.Itoa(len(s.Procs))
		if !s.Known(jobs.PartProcesses) {
			procs = "?"
		}
		if !s.Known(jobs.PartLog) {
			last = "?"
		} else if !s.LastRun.IsZero() {
			last = human.Ago(s.LastRun, now) + " (" + s.LastFrom + ")"
		}
		missed := ""
		if s.Missed != nil {
			missed = "MISSED " + s.Missed.At.Format("01-02 15:04") + ": " + s.Missed.Reason
		}
		sched := strings.Join(s.Schedule, "; ")
		if sched == "" {
			sched = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.State, sanitize.String(sched), next, procs, sanitize.String(last), sanitize.String(missed))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range st {
		if s.Paused != nil {
			fmt.Fprintf(env.Stdout, "  %s: %s\n", s.Name, s.Paused.Describe(env.Cfg.T))
		}
		for _, p := range s.Procs {
			fmt.Fprintf(env.Stdout, "  %s pid %d %s start %s elapsed %s cpu %.1f%% rss %s: %s\n", s.Name, p.PID, sanitize.String(p.User),
				p.Start.Format("01-02 15:04:05"), human.Duration(p.Elapsed), p.CPU, human.Bytes(p.RSS), sanitize.String(strings.Join(p.Args, " ")))
		}
		for _, e := range s.Errors {
			if !seen[e] {
				seen[e] = true
				fmt.Fprintf(env.Stderr, "%s\n", sanitize.String(e))
			}
		}
	}
	return unreadParts(env, st)
}

// unreadParts fails the listing (exit 1) when a part of it could not be
// read, naming the parts: an unreadable crontab or an unreachable host is
// not "no jobs scheduled, none running".
func unreadParts(env *cli.Env, st []jobs.Status) error {
	var parts []string
	for _, s := range st {
		for _, p := range s.Unknown {
			if !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return cli.ExitError{Code: cli.ExitFail, Err: config.Errorf(env.Cfg.T, "incomplete: could not read %s (shown as unknown, ?)",
		"不完全です: %s を読めませんでした（unknown, ? と表示）", strings.Join(parts, ", "))}
}
