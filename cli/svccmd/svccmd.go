// Package svccmd is `richsops svc`: the services' state, and start, stop,
// restart, reload and the Redis-then-index-linux procedure through the gate.
package svccmd

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/services"
)

const usage = `richsops svc list [--json]            state of every service, the probes and Redis PING
richsops svc start|stop|restart|reload NAME
                                      change a service, then wait until the change shows
                                      (reload only where the unit can reload)
richsops svc stop|restart --pause-first NAME
                                      for index-linux, its Redis or mysqld: pause the
                                      Mercari check (and stop its run) first, in the same step
richsops svc redis-then-index         restart Redis, then index-linux with its env, then check health

Every change asks first (--yes skips that), is refused with --readonly and is
written to the audit log. A stop or restart of index-linux, its Redis or mysqld
says which Mercari check it endangers; stopping index-linux or mysqld asks for
the typed word STOP (RICHSOPS_CONFIRM=STOP with --yes). Exit status: 0 done and verified, 1 failed or not
verified in time, 2 bad usage.`

func init() {
	cli.Register(cli.Command{
		Name:      "svc",
		Summary:   "services: list | start | stop | restart | reload NAME | redis-then-index",
		Usage:     usage,
		SummaryJa: "サービス: list | start | stop | restart | reload NAME | redis-then-index",
		UsageJa: `richsops svc list [--json]            全サービスの状態、プローブ、Redis PING
richsops svc start|stop|restart|reload NAME
                                      サービスを変更し、変化が見えるまで待つ
                                      （reload はユニットが対応している場合だけ）
richsops svc redis-then-index         Redis を再起動し、env 付きで index-linux、続けてヘルス確認
変更はすべて先に確認し（--yes で省略）、--readonly では拒否し、監査ログに
記録します。終了コード: 0 完了して確認済み、1 失敗か時間内に確認できず、2 使い方の誤り。`,
		Run: run,
	})
}

func run(env *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.UsageT(env.Cfg.T, "want list, start, stop, restart, reload or redis-then-index", "list、start、stop、restart、reload、redis-then-index のどれかを指定してください")
	}
	switch args[0] {
	case "list", "ls":
		if len(args) > 1 {
			return cli.UsageT(env.Cfg.T, "list takes no arguments", "list に引数は指定しません")
		}
		return list(env)
	case "redis-then-index", "redis-then-index-linux":
		if len(args) > 1 {
			return cli.UsageT(env.Cfg.T, "redis-then-index takes no arguments", "redis-then-index に引数は指定しません")
		}
		return redisThenIndex(env)
	}
	v, err := services.ParseVerb(args[0])
	if err != nil {
		return cli.Usagef("%v", err)
	}
	rest := args[1:]
	pauseFirst := len(rest) > 0 && rest[0] == "--pause-first"
	if pauseFirst {
		rest = rest[1:]
	}
	if len(rest) != 1 {
		return cli.UsageT(env.Cfg.T, "%s wants one service name", "%s にはサービス名を 1 つ指定してください", v)
	}
	return act(env, v, rest[0], pauseFirst)
}

func list(env *cli.Env) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	snap := health.Collect(ctx, env.Cfg, env.Hosts)
	if env.JSON {
		if err := env.PrintJSON(snap); err != nil {
			return err
		}
	} else {
		if err := WriteTable(env.Stdout, snap, time.Now(), env.Cfg.T); err != nil {
			return err
		}
	}
	return unknownStates(env, snap)
}

// unknownStates fails the listing (exit 1) when a service's state could not
// be read, naming those services: unknown is not "down", and not fine.
func unknownStates(env *cli.Env, snap health.Snapshot) error {
	var names []string
	for _, s := range snap.Services {
		if s.State == services.Unknown {
			names = append(names, sanitize.String(s.Name))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return cli.ExitError{Code: cli.ExitFail, Err: config.Errorf(env.Cfg.T, "incomplete: the state of %s could not be read (unknown)",
		"不完全です: %s の状態を読めませんでした（unknown）", strings.Join(names, ", "))}
}

// WriteTable prints a snapshot as aligned text in t's language.
func WriteTable(w io.Writer, snap health.Snapshot, now time.Time, t func(en, ja string) string) error {
	var tb cli.Table
	tb.Row(strings.Split(config.Tr(t, "SERVICE\tKIND\tHOST\tSTATE\tSINCE\tPID\tRESTARTS\tMEMORY\tDETAIL",
		"サービス\t種類\tホスト\t状態\t変化\tPID\t再起動\tメモリ\t詳細"), "\t")...)
	for _, s := range snap.Services {
		since, pid, restarts, mem := "-", "-", "-", "-"
		if !s.Since.IsZero() {
			since = human.AgoT(t, s.Since, now)
		}
		if s.PID > 0 {
			pid = strconv.Itoa(s.PID)
		}
		if s.Kind == services.KindPM2 && s.State != services.Unknown {
			restarts = strconv.Itoa(s.Restarts)
		}
		if s.Memory > 0 {
			mem = human.Bytes(s.Memory)
		}
		detail := s.Detail
		if len(s.EnvMismatch) > 0 {
			detail += " [" + strings.Join(s.EnvMismatch, "; ") + "]"
		}
		tb.Row(sanitize.String(s.Name), string(s.Kind), sanitize.String(s.Host), string(s.State), since, pid, restarts, mem, sanitize.String(detail))
	}
	tb.Row()
	tb.Row(strings.Split(config.Tr(t, "PROBE\tURL\tSTATE\tSTATUS\tLATENCY\tDETAIL", "プローブ\tURL\t状態\tステータス\t応答時間\t詳細"), "\t")...)
	for _, p := range snap.Probes {
		tb.Row(sanitize.String(p.Name), sanitize.String(p.URL), okWord(p.OK), statusCode(p.Status), human.Duration(p.Latency), sanitize.String(p.Err))
	}
	tb.Row("redis", snap.Redis.Addr, okWord(snap.Redis.OK), pong(snap.Redis.OK), human.Duration(snap.Redis.Latency), sanitize.String(snap.Redis.Err))
	return tb.Write(w)
}

func okWord(ok bool) string {
	if ok {
		return string(services.Up)
	}
	return string(services.Down)
}

func statusCode(c int) string {
	if c == 0 {
		return "-"
	}
	return strconv.Itoa(c)
}

func pong(ok bool) string {
	if ok {
		return "PONG"
	}
	return "-"
}

func act(env *cli.Env, v services.Verb, name string, pauseFirst bool) error {
	spec, err := services.Find(env.Cfg, name)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	h, err := env.Hosts.Get(spec.Host)
	if err != nil {
		return err
	}
	if v == services.Start || (v == services.Reload && spec.Kind == services.KindSystemd && !spec.CanReload) {
		// The unit may say it can reload though the config does not; a
		// start's preview says when the service already runs.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		spec.Learn(services.StatusOf(ctx, spec, h))
		cancel()
	}
	a, err := services.Action(spec, h, v)
	if err != nil {
		return err
	}
	if pauseFirst && !guard.Endangers(env.Cfg, spec.Name, v) {
		return cli.Usagef("--pause-first: %s %s endangers no Mercari check", v, spec.Name)
	}
	if a, err = protect(env, spec.Name, v, a, pauseFirst); err != nil {
		return err
	}
	_, err = env.Do(a)
	return err
}

// protect is the Services tab's protection of a stop or restart of
// index-linux, its Redis or mysqld, in the CLI: the preview says which
// Mercari check it endangers (and how to pause it first), stopping
// index-linux or mysqld asks for the typed word, and with pauseFirst the
// check is paused first in the same action. Other actions are a as is.
func protect(env *cli.Env, name string, v services.Verb, a gate.Action, pauseFirst bool) (gate.Action, error) {
	if !guard.Endangers(env.Cfg, name, v) {
		return a, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	plain, paused, _, err := guard.Variants(ctx, env.Cfg, env.Hosts, name, v, a, jobs.DefaultKillWait)
	switch {
	case err != nil:
		return a, err
	case pauseFirst && paused != nil:
		return *paused, nil
	case pauseFirst:
		return a, config.Errorf(env.Cfg.T, "--pause-first: no Mercari check at risk could be paused (none running or scheduled, or they could not be read); nothing done",
			"--pause-first: 停止できる危険なメルカリのチェックがありません（実行中・予定なし、または読めません）。何もしていません")
	case paused != nil:
		plain.Preview = append(plain.Preview, fmt.Sprintf(env.Cfg.T("to pause the Mercari check first, in the same step: richsops svc %s --pause-first %s",
			"先にメルカリのチェックを同じ操作で停止するには: richsops svc %s --pause-first %s"), v, name))
	}
	return plain, nil
}

func redisThenIndex(env *cli.Env) error {
	ih, err := env.Hosts.Get(services.IndexLinuxSpec(env.Cfg).Host)
	if err != nil {
		return err
	}
	cfg := env.Cfg
	check := func(ctx context.Context) (bool, string) { return health.IndexLinux(ctx, cfg, ih) }
	a, err := services.RedisThenIndexLinux(cfg, env.Hosts, check)
	if err != nil {
		return err
	}
	if a, err = protect(env, services.IndexLinuxSpec(cfg).Name, services.Restart, a, false); err != nil {
		return err
	}
	_, err = env.Do(a)
	return err
}
