package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// DefaultKillWait is how long a process gets between SIGTERM and SIGKILL.
const DefaultKillWait = 10 * time.Second

// gone re-reads the process on its host: true once it exited or its pid
// is another process's (a failure to ask is not an answer).
func gone(ctx context.Context, h host.Host, p Proc) bool {
	err := h.CheckProcess(ctx, p.Process)
	return errors.Is(err, host.ErrProcessGone) || errors.Is(err, host.ErrNotSameProcess)
}

// Killable filters procs to those richsops may signal: a configured job's,
// never pid 1, never richsops itself.
func Killable(h host.Host, cfg *config.Config, procs []Proc) (ok []Proc, refused []string) {
	for _, p := range procs {
		switch err := host.SignalRefusal(h, p.PID); {
		case errors.Is(err, host.ErrInitProcess):
			refused = append(refused, fmt.Sprintf(cfg.T("pid %d: never signalled", "pid %d: シグナルは送りません"), p.PID))
		case errors.Is(err, host.ErrSelfProcess):
			refused = append(refused, fmt.Sprintf(cfg.T("pid %d: richsops itself", "pid %d: richsops 自身です"), p.PID))
		default:
			if _, known := cfg.Job(p.Job); !known {
				refused = append(refused, fmt.Sprintf(cfg.T("pid %d: not a configured job", "pid %d: 設定にないジョブです"), p.PID))
				continue
			}
			ok = append(ok, p)
		}
	}
	return ok, refused
}

// Terminate sends SIGTERM, waits up to wait, sends SIGKILL to what is left,
// and verifies each is gone. The identity is re-checked before every signal.
// It returns one line per process; err is set when any survived.
func Terminate(ctx context.Context, h host.Host, procs []Proc, wait time.Duration) ([]string, error) {
	return terminate(ctx, h, procs, wait, nil)
}

// OnKill, when set, is told of each process about to be signalled and by
// whom (the action's actor, such as guard, else "richsops jobs.kill"): the
// history commands record it as the run's killer.
var OnKill func(ctx context.Context, hostName string, pid int, by string)

// terminate is Terminate with its lines in t's language (nil = English).
func terminate(ctx context.Context, h host.Host, procs []Proc, wait time.Duration, tr func(en, ja string) string) ([]string, error) {
	t := func(en, ja string) string { return config.Tr(tr, en, ja) }
	exited := t("pid %d: SIGTERM, exited after %s", "pid %d: SIGTERM、%s 後に終了")
	if wait <= 0 {
		wait = DefaultKillWait
	}
	report := make([]string, len(procs))
	pending := map[int]bool{} // index -> still to watch
	for i, p := range procs {
		if OnKill != nil && h.CheckProcess(ctx, p.Process) == nil {
			// Marked before the signal, so that the run's end keeps it.
			by := "richsops jobs.kill"
			if a := gate.ActorFrom(ctx); a != "" {
				by = a
			}
			OnKill(ctx, h.Name(), p.PID, by)
		}
		switch err := h.Signal(ctx, p.Process, syscall.SIGTERM); {
		case err == nil:
			pending[i] = true
		case errors.Is(err, host.ErrProcessGone):
			report[i] = fmt.Sprintf(t("pid %d: already gone", "pid %d: すでに終了しています"), p.PID)
		case errors.Is(err, host.ErrNotSameProcess):
			report[i] = fmt.Sprintf(t("pid %d: no longer the process listed (start time, command, user or folder changed: pid reused?); not signalled",
				"pid %d: 一覧にあったプロセスではなくなりました（開始時刻・コマンド・ユーザー・フォルダーのいずれかが変化: pid の再利用?）。シグナルは送っていません"), p.PID)
		default:
			report[i] = fmt.Sprintf(t("pid %d: cannot signal it (%v)", "pid %d: シグナルを送れません（%v）"), p.PID, err)
		}
	}
	start := time.Now()
	poll := func(until time.Time) {
		for len(pending) > 0 && time.Now().Before(until) {
			for i := range pending {
				if gone(ctx, h, procs[i]) {
					report[i] = fmt.Sprintf(exited, procs[i].PID, time.Since(start).Round(100*time.Millisecond))
					delete(pending, i)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	poll(start.Add(wait))
	var failed int
	killed := map[int]bool{}
	for i := range pending {
		p := procs[i]
		switch err := h.Signal(ctx, p.Process, syscall.SIGKILL); {
		case errors.Is(err, host.ErrProcessGone), errors.Is(err, host.ErrNotSameProcess):
			report[i] = fmt.Sprintf(exited, p.PID, time.Since(start).Round(100*time.Millisecond))
			delete(pending, i)
			continue
		case err != nil:
			report[i] = fmt.Sprintf(t("pid %d: still running after SIGTERM; SIGKILL failed: %v", "pid %d: SIGTERM 後も実行中。SIGKILL に失敗: %v"), p.PID, err)
			delete(pending, i)
			failed++
			continue
		}
		killed[i] = true
	}
	kstart := time.Now()
	for len(pending) > 0 && time.Since(kstart) < 5*time.Second && ctx.Err() == nil {
		for i := range pending {
			if gone(ctx, h, procs[i]) {
				report[i] = fmt.Sprintf(t("pid %d: ignored SIGTERM for %s; SIGKILL; gone", "pid %d: %s の間 SIGTERM を無視。SIGKILL で終了"), procs[i].PID, wait)
				delete(pending, i)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range pending {
		report[i] = fmt.Sprintf(t("pid %d: STILL RUNNING after SIGKILL", "pid %d: SIGKILL 後もまだ実行中"), procs[i].PID)
		failed++
	}
	if failed > 0 {
		return report, config.Errorf(tr, "%d of %d processes could not be stopped", "%[2]d 個中 %[1]d 個のプロセスを停止できませんでした", failed, len(procs))
	}
	return report, nil
}

// Describe is a process as one preview line.
func (p Proc) Describe() string { return p.describe(nil) }

// describe is Describe in t's language (nil = English).
func (p Proc) describe(t func(en, ja string) string) string {
	return fmt.Sprintf(config.Tr(t, "pid %d (%s, started %s): %s", "pid %d（%s、%s 開始）: %s"),
		p.PID, p.User, p.Start.Format("01-02 15:04:05"), host.ShellQuote(p.Args))
}

// ErrNotRunning is KillAction's error when the job has no process at all:
// nothing to stop, which a script can treat as done (errors.Is).
var ErrNotRunning = errors.New("no running process")

// KillAction builds the action that stops pid (0 = every process) of job.
func KillAction(ctx context.Context, h host.Host, cfg *config.Config, job string, pid int, wait time.Duration) (gate.Action, error) {
	if _, err := configuredJob(cfg, job); err != nil {
		return gate.Action{}, err
	}
	procs, err := List(ctx, h, cfg, []string{job})
	if err != nil {
		return gate.Action{}, err
	}
	if pid != 0 {
		var one []Proc
		for _, p := range procs {
			if p.PID == pid {
				one = append(one, p)
			}
		}
		if len(one) == 0 {
			return gate.Action{}, config.Errorf(cfg.T, "pid %d is not a running process of %s", "pid %d は %s の実行中のプロセスではありません", pid, job)
		}
		procs = one
	}
	if procs, err = mayKill(h, cfg, job, procs); err != nil {
		return gate.Action{}, err
	}
	return killActionFor(h, job, procs, orDefault(wait), cfg.T), nil
}

// mayKill is Killable with an error saying why none of procs may be signalled.
func mayKill(h host.Host, cfg *config.Config, job string, procs []Proc) ([]Proc, error) {
	procs, refused := Killable(h, cfg, procs)
	if len(procs) == 0 {
		if len(refused) > 0 {
			return nil, fmt.Errorf("%s: %s", job, strings.Join(refused, "; "))
		}
		return nil, config.WithKind(config.Errorf(cfg.T, "%s: no running process", "%s: 実行中のプロセスはありません", job), ErrNotRunning)
	}
	return procs, nil
}

// orDefault is wait, or DefaultKillWait when unset.
func orDefault(wait time.Duration) time.Duration {
	if wait <= 0 {
		return DefaultKillWait
	}
	return wait
}

func killActionFor(h host.Host, job string, procs []Proc, wait time.Duration, t func(en, ja string) string) gate.Action {
	preview := []string{fmt.Sprintf(t("SIGTERM, wait up to %s, then SIGKILL what is left:", "SIGTERM を送り、最大 %s 待ってから、残ったものに SIGKILL:"), wait)}
	for _, p := range procs {
		preview = append(preview, "  "+p.describe(t))
	}
	return gate.Action{
		Name: "jobs.kill", Target: job, Host: h.Name(), Preview: preview,
		Run: func(ctx context.Context) (gate.Outcome, error) {
			lines, err := terminate(ctx, h, procs, wait, t)
			sum := fmt.Sprintf(t("%s: %d process(es) stopped", "%s: プロセス %d 個を停止しました"), job, len(procs))
			if err != nil {
				sum = fmt.Sprintf("%s: %v", job, err)
			}
			return gate.Outcome{Summary: sum, Details: lines}, err
		},
	}
}
