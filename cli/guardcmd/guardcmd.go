// Package guardcmd is `richsops guard`: the Mercari interlock as a service
// loop or, with --once, one probe for cron.
package guardcmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
)

const usage = `richsops guard [--interval 1m] [--threshold 3] [--state FILE]
richsops guard --once [--threshold 3] [--state FILE]

Probes index-linux (pm2 app online, health URL, Redis PING). After
--threshold consecutive unhealthy probes it pauses the guarded jobs
(guard.jobs) in the crontab and stops their processes, audited; after as
many healthy probes it resumes what it paused itself (guard.auto_resume),
or only reports. Lines paused by someone else are never resumed.
--readonly: probe, count and report only.

--once exits 0 healthy, 1 unhealthy (still counting), 2 acted or jobs
paused by guard, 3 guard itself could not run (state file, lock).`

const usageJa = `richsops guard [--interval 1m] [--threshold 3] [--state FILE]
richsops guard --once [--threshold 3] [--state FILE]

index-linux（pm2 のアプリ、ヘルス URL、Redis PING）を調べます。--threshold 回
続けて不調なら、ガード対象のジョブ（guard.jobs）を crontab で止めてプロセスも
停止し、監査ログに記録。同じ回数続けて正常なら、自分で止めたものを再開
（guard.auto_resume）、または報告だけ。他の人が止めた行は再開しません。
--readonly: 調べて数えて報告するだけ。

--once の終了コード: 0 正常、1 不調（数えている途中）、2 止めた、または guard が
止めたジョブがある、3 guard 自体が動けなかった（状態ファイル、ロック）。`

// ExitError is guard's own failure (state file unreadable, lock held).
const ExitError = 3

func init() {
	cli.Register(cli.Command{Name: "guard", Summary: "pause the Mercari checks while index-linux is down (loop or --once)", Usage: usage,
		SummaryJa: "index-linux の停止中はメルカリのチェックを止める（常駐か --once）", UsageJa: usageJa, Run: run})
	cli.OnNewEnv(wire)
}

// wire connects the domains that only meet at run time: the Mercari guard
// of ops/jobs (run now, in the jobs command and the Jobs tab) asks
// ops/health whether index-linux (pm2 app, management server, Redis) is
// healthy, on the host index-linux is configured on. One process runs one
// config, so a package-level hook is enough.
func wire(env *cli.Env) {
	cfg, hosts := env.Cfg, env.Hosts
	jobs.DefaultGuard = func(ctx context.Context) (bool, string) {
		return health.IndexLinuxOn(ctx, cfg, hosts)
	}
}

type opts struct {
	once      bool
	interval  time.Duration
	threshold int
	state     string
}

func parse(args []string) (opts, error) {
	var o opts
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.once, "once", false, "")
	fs.DurationVar(&o.interval, "interval", 0, "")
	fs.IntVar(&o.threshold, "threshold", 0, "")
	fs.StringVar(&o.state, "state", "", "")
	if err := fs.Parse(args); err != nil {
		return o, cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return o, cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	if o.threshold < 0 {
		return o, cli.Usagef("--threshold must be at least 1")
	}
	if o.interval < 0 || (o.interval > 0 && o.interval < time.Second) {
		return o, cli.Usagef("--interval must be at least 1s")
	}
	return o, nil
}

func run(env *cli.Env, args []string) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	g := guard.New(env.Cfg, env.Hosts, h, env.Gate, o.threshold, o.state)
	if o.once {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		step, err := g.Once(ctx)
		Report(env, step, err)
		if err != nil {
			return cli.ExitError{Code: ExitError}
		}
		return cli.ExitError{Code: step.ExitCode()}
	}
	interval := o.interval
	if interval == 0 {
		interval = env.Cfg.Guard.Interval.Duration
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mode := ""
	if g.ReadOnly {
		mode = ", read-only: report only"
	}
	fmt.Fprintf(env.Stderr, "richsops guard: every %s, threshold %d, jobs %s, state %s%s\n",
		interval, g.Threshold, strings.Join(g.Jobs, ","), g.StateFile, mode)
	g.Loop(ctx, interval, func(s guard.Step, err error) { Report(env, s, err) })
	return nil
}

// Report prints one probe: a JSON line with --json, else a status line and
// what was done.
func Report(env *cli.Env, s guard.Step, err error) {
	if env.JSON {
		out := struct {
			guard.Step
			Error string `json:"error,omitempty"`
		}{Step: s}
		if err != nil {
			out.Error = err.Error()
		}
		_ = env.PrintJSON(out)
		return
	}
	w := env.Stdout
	if err != nil {
		fmt.Fprintf(w, env.Cfg.T("%s guard failed: %s\n", "%s ガードの確認に失敗: %s\n"), time.Now().Format(time.RFC3339), sanitize.String(err.Error()))
		if s.State.LastProbe.IsZero() {
			return
		}
	}
	verdict := env.Cfg.T("healthy", "正常")
	count := s.State.Successes
	if !s.Healthy {
		verdict, count = env.Cfg.T("UNHEALTHY", "異常"), s.State.Failures
	}
	fmt.Fprintf(w, "%s index-linux %s (%d/%d)", s.State.LastProbe.Format(time.RFC3339), verdict, min(count, s.Threshold), s.Threshold)
	if len(s.State.Paused) > 0 {
		fmt.Fprintf(w, env.Cfg.T("; paused by guard: %s", "; ガードが一時停止中: %s"), strings.Join(s.State.Paused, ","))
	}
	fmt.Fprintf(w, ": %s\n", sanitize.String(s.Reason))
	for _, d := range s.Did {
		fmt.Fprintf(w, env.Cfg.T("  did: %s\n", "  実施: %s\n"), sanitize.String(d))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, env.Cfg.T("  note: %s\n", "  注記: %s\n"), sanitize.String(n))
	}
	for _, e := range s.Errors {
		fmt.Fprintf(w, env.Cfg.T("  ERROR: %s\n", "  エラー: %s\n"), sanitize.String(e))
	}
}
