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
richsops jobs kill [--pid N] [--wait 10s] NAME   SIGTERM, wait, SIGKILL one process or all of the job;
                                                 with nothing running: "nothing running", exit 0
richsops jobs pause [--kill] NAME                comment out its crontab lines, reload cron (--kill: stop its processes too)
richsops jobs resume [--run] NAME                restore the lines richsops paused, reload cron (--run: then run it now)
richsops jobs runs [NAME] [--since 7d] [--json]  recorded runs (from richsops watch): duration, exit code, trigger, flags
richsops jobs runs NAME --zabbix                 the newest finished run as one number: 0 ok, 1 too long or too short,
                                                 2 failed or killed, -1 none recorded (exit 0; for a Zabbix UserParameter)
richsops jobs exec [--trigger cron] [--user U] NAME -- ARGV...
                                                 run ARGV as a run of NAME and record its start, end and exit code
                                                 (for a crontab line; exits with ARGV's status; --user: run it as U)
richsops jobs wrap NAME | unwrap NAME            put richsops jobs exec before the job's command in its crontab
                                                 lines, or take it out again (byte-exact; pause and resume still work)`

const usageJa = `richsops jobs list [--json]                      各ジョブ: スケジュール、状態、次回、プロセス、前回、実行漏れ
richsops jobs run [--force] [--override] [--args "2 4 --max-workers 14"] NAME
                                                 今すぐ app.user として app.dir で開始。出力はジョブのログに追記。
                                                 --force: 実行中でも; --override: ガード（index-linux）が
                                                 不調でも（OVERRIDE の入力が必要）
richsops jobs kill [--pid N] [--wait 10s] NAME   SIGTERM、待つ、SIGKILL（1 プロセスかジョブの全部）。
                                                 実行中のものがなければ "nothing running" で終了コード 0
richsops jobs pause [--kill] NAME                crontab の行をコメントアウトして cron を再読込（--kill: プロセスも停止）
richsops jobs resume [--run] NAME                richsops が止めた行を戻して cron を再読込（--run: その後すぐ実行）`

func init() {
	cli.Register(cli.Command{Name: "jobs", Summary: "list, run, kill, pause and resume the stock checks", Usage: usage,
		SummaryJa: "在庫チェックの一覧、実行、停止、cron 停止と再開", UsageJa: usageJa, Run: run})
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

func parse(t func(en, ja string) string, sub string, args []string) (flags, error) {
	var f flags
	bools := map[string][]string{"run": {"--force", "--override"}, "pause": {"--kill"}, "resume": {"--run"}}[sub]
	valued := map[string][]string{"run": {"--args"}, "kill": {"--pid", "--wait"}, "pause": {"--wait"}}[sub]
	vals, pos, err := cli.SplitFlags(t, "jobs "+sub, args, bools, valued)
	if err != nil {
		return f, err
	}
	for name, val := range vals {
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
				return f, cli.UsageT(t, "--pid: want a process id, got %q", "--pid: プロセス ID を指定してください（%q ではなく）", val)
			}
			f.pid = n
		case "--wait":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return f, cli.UsageT(t, "--wait: want a duration such as 10s, got %q", "--wait: 10s のような時間を指定してください（%q ではなく）", val)
			}
			f.wait = d
		}
	}
	switch {
	case sub == "list" && len(pos) > 0:
		return f, cli.UsageT(t, "jobs list takes no name", "jobs list に名前は指定しません")
	case sub != "list" && len(pos) != 1:
		return f, cli.UsageT(t, "jobs %s: want one job NAME", "jobs %s: ジョブ名 NAME を 1 つ指定してください", sub)
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
		return cli.UsageT(env.Cfg.T, "jobs: want list, run, kill, pause or resume", "jobs: list、run、kill、pause、resume のどれかを指定してください")
	}
	sub := args[0]
	if f, ok := subs[sub]; ok {
		return f(env, args[1:])
	}
	switch sub {
	case "list", "run", "kill", "pause", "resume":
	default:
		return cli.UsageT(env.Cfg.T, "jobs: unknown subcommand %q", "jobs: %q というサブコマンドはありません", sub)
	}
	f, err := parse(env.Cfg.T, sub, args[1:])
	if err != nil {
		return err
	}
	if f.name != "" {
		if _, ok := env.Cfg.Job(f.name); !ok {
			return cli.UsageT(env.Cfg.T, "jobs %s: %q is not a configured job (see richsops jobs list)", "jobs %s: %q は設定されたジョブではありません（richsops jobs list を参照）", sub, f.name)
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
		if errors.Is(err, jobs.ErrNotRunning) { // already stopped: done, exit 0
			return env.NothingToDo("jobs.kill", f.name, "nothing running: "+f.name, "実行中のものはありません: "+f.name)
		}
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
	if jobs.Overridable(err) {
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
	now, t := time.Now(), env.Cfg.T
	var w cli.Table
	w.Row(strings.Split(t("JOB\tSTATE\tSCHEDULE\tNEXT\tPROCS\tLAST RUN\tMISSED", "ジョブ\t状態\tスケジュール\t次回\tプロセス\t前回\t実行漏れ"), "\t")...)
	for _, s := range st {
		next := "-"
		if !s.Next.IsZero() {
			next = s.Next.Format("01-02 15:04") + t(" (", "（") + human.AgoT(t, s.Next, now) + t(")", "）")
		}
		last, procs := "-", strconv.Itoa(len(s.Procs))
		if !s.Known(jobs.PartProcesses) {
			procs = "?"
		}
		if !s.Known(jobs.PartLog) {
			last = "?"
		} else if !s.LastRun.IsZero() {
			last = human.AgoT(t, s.LastRun, now) + t(" (", "（") + t(s.LastFrom, jobs.LastFromJa[s.LastFrom]) + t(")", "）")
		}
		missed := ""
		if s.Missed != nil {
			missed = t("MISSED ", "実行漏れ ") + s.Missed.At.Format("01-02 15:04") + ": " + s.Missed.Reason
		}
		sched := strings.Join(s.Schedule, "; ")
		if sched == "" {
			sched = "-"
		}
		w.Row(s.Name, string(s.State), sanitize.String(sched), next, procs, sanitize.String(last), sanitize.String(missed))
	}
	if err := w.Write(env.Stdout); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range st {
		if s.Paused != nil {
			fmt.Fprintf(env.Stdout, "  %s: %s\n", s.Name, s.Paused.Describe(env.Cfg.T))
		}
		for _, p := range s.Procs {
			fmt.Fprintf(env.Stdout, t("  %s pid %d %s start %s elapsed %s cpu %.1f%% rss %s: %s\n", "  %s pid %d %s 開始 %s 経過 %s cpu %.1f%% rss %s: %s\n"), s.Name, p.PID, sanitize.String(p.User),
				p.Start.Format("01-02 15:04:05"), human.DurationT(t, p.Elapsed), p.CPU, human.Bytes(p.RSS), sanitize.String(strings.Join(p.Args, " ")))
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
