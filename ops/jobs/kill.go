package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// DefaultKillWait is how long a process gets between SIGTERM and SIGKILL.
const DefaultKillWait = 10 * time.Second

// identity is what a pid is now, compared with the process we listed.
type identity int

const (
	idSame  identity = iota // the same process, still running the job
	idGone                  // exited (or a zombie)
	idOther                 // the pid now belongs to another process
)

// check re-reads the process: the start time must be the one we listed and
// argv must still run the job, or the pid is not ours to signal.
func check(ctx context.Context, h host.Host, p Proc) (identity, error) {
	if h.IsLocal() {
		st, ok := readStat(p.PID)
		if !ok || st.state == 'Z' {
			return idGone, nil
		}
		if strconv.FormatUint(st.startTicks, 10) != p.StartKey {
			return idOther, nil
		}
		buf := make([]byte, 64*1024)
		n := readSmall([]byte("/proc/"+strconv.Itoa(p.PID)+"/cmdline"), buf)
		if n <= 0 {
			return idGone, nil
		}
		if MatchJob(splitNUL(buf[:n]), []string{p.Job}) == "" {
			return idOther, nil
		}
		return idSame, nil
	}
	res, err := h.Run(ctx, host.Cmd{Argv: []string{"ps", "-ww", "-o", "stat=,lstart=,args=", "-p", strconv.Itoa(p.PID)},
		Env: map[string]string{"LC_ALL": "C"}, Timeout: 10 * time.Second})
	var ee *host.ExitError
	if errors.As(err, &ee) && strings.TrimSpace(string(res.Stdout)) == "" {
		return idGone, nil
	}
	if err != nil {
		return idOther, err
	}
	f := strings.Fields(string(res.Stdout))
	if len(f) < 7 {
		return idGone, nil
	}
	if strings.HasPrefix(f[0], "Z") {
		return idGone, nil
	}
	if strings.Join(f[1:6], " ") != p.StartKey || MatchJob(f[6:], []string{p.Job}) == "" {
		return idOther, nil
	}
	return idSame, nil
}

func signal(ctx context.Context, h host.Host, pid int, sig syscall.Signal) error {
	if h.IsLocal() {
		return unix.Kill(pid, sig)
	}
	name := map[syscall.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGKILL: "KILL"}[sig]
	_, err := h.Run(ctx, host.Cmd{Argv: []string{"kill", "-" + name, strconv.Itoa(pid)}, Timeout: 10 * time.Second})
	return err
}

// Killable filters procs to those richsops may signal: a configured job's,
// never pid 1, never richsops itself.
func Killable(h host.Host, cfg *config.Config, procs []Proc) (ok []Proc, refused []string) {
	self := os.Getpid()
	for _, p := range procs {
		switch {
		case p.PID <= 1:
			refused = append(refused, fmt.Sprintf(cfg.T("pid %d: never signalled", "pid %d: シグナルは送りません"), p.PID))
		case h.IsLocal() && p.PID == self:
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
		switch id, err := check(ctx, h, p); {
		case err != nil:
			report[i] = fmt.Sprintf(t("pid %d: cannot check it (%v); not signalled", "pid %d: 確認できません（%v）。シグナルは送っていません"), p.PID, err)
		case id == idGone:
			report[i] = fmt.Sprintf(t("pid %d: already gone", "pid %d: すでに終了しています"), p.PID)
		case id == idOther:
			report[i] = fmt.Sprintf(t("pid %d: no longer the process listed (start time or command changed: pid reused?); not signalled",
				"pid %d: 一覧にあったプロセスではなくなりました（開始時刻かコマンドが変化: pid の再利用?）。シグナルは送っていません"), p.PID)
		default:
			if OnKill != nil {
				by := "richsops jobs.kill"
				if a := gate.ActorFrom(ctx); a != "" {
					by = a
				}
				OnKill(ctx, h.Name(), p.PID, by)
			}
			if err := signal(ctx, h, p.PID, syscall.SIGTERM); err != nil {
				report[i] = fmt.Sprintf(t("pid %d: SIGTERM failed: %v", "pid %d: SIGTERM に失敗: %v"), p.PID, err)
				continue
			}
			pending[i] = true
		}
	}
	start := time.Now()
	poll := func(until time.Time) {
		for len(pending) > 0 && time.Now().Before(until) {
			for i := range pending {
				if id, _ := check(ctx, h, procs[i]); id != idSame {
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
		if id, _ := check(ctx, h, p); id != idSame {
			report[i] = fmt.Sprintf(exited, p.PID, time.Since(start).Round(100*time.Millisecond))
			delete(pending, i)
			continue
		}
		if err := signal(ctx, h, p.PID, syscall.SIGKILL); err != nil {
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
			if id, _ := check(ctx, h, procs[i]); id != idSame {
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
	procs, refused := Killable(h, cfg, procs)
	if len(procs) == 0 {
		if len(refused) > 0 {
			return gate.Action{}, fmt.Errorf("%s: %s", job, strings.Join(refused, "; "))
		}
		return gate.Action{}, config.Errorf(cfg.T, "%s: no running process", "%s: 実行中のプロセスはありません", job)
	}
	if wait <= 0 {
		wait = DefaultKillWait
	}
	return killActionFor(h, job, procs, wait, cfg.T), nil
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
