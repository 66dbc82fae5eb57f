package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// GuardCheck reports whether what a guarded job depends on (index-linux) is
// healthy. The caller supplies it (ops/health); reason says what is wrong.
type GuardCheck func(ctx context.Context) (healthy bool, reason string)

// DefaultGuard is the health check the CLI and the UI use for jobs with
// guard = "index-linux". The lead points it at ops/health. While it is nil a
// guarded job is refused (fail closed) unless overridden.
var DefaultGuard GuardCheck

// GuardTimeout bounds one health check.
const GuardTimeout = 10 * time.Second

// ErrRunning: a second instance needs Force.
var ErrRunning = errors.New("already running; a second instance needs force")

// GuardError is the refusal of a guarded job while its dependency is unhealthy.
type GuardError struct {
	Job, Guard, Reason string
	// T is the language of Error (a Config's T; nil = English): the
	// console and the CLI show it as the refusal.
	T func(en, ja string) string `json:"-"`
}

func (e *GuardError) Error() string { return e.text(e.T) }

// English is the refusal for the audit log, which stays English.
func (e *GuardError) English() string { return e.text(nil) }

func (e *GuardError) text(t func(en, ja string) string) string {
	return fmt.Sprintf(config.Tr(t, "%s refused: %s is unhealthy: %s (an override needs a typed confirmation)",
		"%s は実行しません: %s が異常です: %s（強制実行には確認の入力が必要です）"), e.Job, e.Guard, e.reason(t))
}

// The guard's own reasons, when there is no check or it gives none.
const (
	reasonNoCheck = "no health check is available for it"
	reasonFailed  = "health check failed"
)

var reasonJa = map[string]string{reasonNoCheck: "ヘルスチェックがありません", reasonFailed: "ヘルスチェックに失敗"}

// reason is Reason in t's language: the guard's own reasons are
// translated, a check's shown as the check says it.
func (e *GuardError) reason(t func(en, ja string) string) string {
	if ja, ok := reasonJa[e.Reason]; ok {
		return config.Tr(t, e.Reason, ja)
	}
	return e.Reason
}

// OverrideWord is what the operator types to start a guarded job anyway.
const OverrideWord = "OVERRIDE"

// RunSpec is one run-now request.
type RunSpec struct {
	Job      string
	Args     []string // nil = the job's configured args
	Force    bool     // start even if an instance is running
	Override bool     // start even if the guard reports unhealthy (typed confirmation)
	Trigger  string   // who asks, for the run's record: "cli", or "" = the console
}

// ExecWrapper, when set, is the argv prefix of the waiting parent a local
// run now starts the job through (`richsops jobs exec`, which records the
// run's start, end and exit code); nil starts the job itself. The history
// commands set it, so ops/jobs does not know their flags.
var ExecWrapper func(cfg *config.Config, job, trigger, asUser string) []string

// guardStatus runs the guard for job; nil error = healthy or not guarded.
// The refusal is in t's language.
func guardStatus(ctx context.Context, j config.Job, check GuardCheck, t func(en, ja string) string) error {
	if j.Guard == "" {
		return nil
	}
	if check == nil {
		return &GuardError{Job: j.Name, Guard: j.Guard, Reason: reasonNoCheck, T: t}
	}
	ctx, cancel := context.WithTimeout(ctx, GuardTimeout)
	defer cancel()
	ok, reason := check(ctx)
	if ok {
		return nil
	}
	if reason == "" {
		reason = reasonFailed
	}
	return &GuardError{Job: j.Name, Guard: j.Guard, Reason: reason, T: t}
}

// detachedFor is how a run of j is started, on any host: python manage.py
// JOB ARGS in app.dir as app.user with app.env, appended to its log.
func detachedFor(cfg *config.Config, j config.Job, args []string) host.Detached {
	if args == nil {
		args = j.Args
	}
	return host.Detached{Argv: append([]string{cfg.App.Python, cfg.App.Manage, j.Name}, args...),
		Dir: cfg.App.Dir, User: cfg.App.User, Env: cfg.App.Env, Log: cfg.JobLogPath(j), T: cfg.T}
}

// RunAction builds the run-now action. It refuses a running job without
// Force and a guarded job whose dependency is unhealthy without Override;
// an override action carries Danger = OVERRIDE and says why in its preview.
// Both checks are made again right before the start.
func RunAction(ctx context.Context, h host.Host, cfg *config.Config, spec RunSpec, guard GuardCheck) (gate.Action, error) {
	j, running, ov, err := precheck(ctx, h, cfg, spec, guard)
	if err != nil {
		return gate.Action{}, err
	}
	d := detachedFor(cfg, j, spec.Args)
	// Refused before the confirmation, on the job's host ("/." follows a
	// symlinked app.dir); the start checks it again.
	if fi, err := h.Stat(ctx, d.Dir+"/."); err != nil || !fi.IsDir {
		return gate.Action{}, config.Errorf(cfg.T, "app folder %s: not a folder (%v)", "アプリのフォルダ %s: フォルダではありません（%v）", d.Dir, err)
	}
	t := cfg.T
	a := runAction(cfg, h, j, d.Argv, ov)
	asUser := d.User
	var through []string
	wrapped := false
	// The history is this machine's: only a run started here goes through
	// the waiting parent that records it.
	if ExecWrapper != nil && host.IsLocalName(h.Name()) {
		trigger := spec.Trigger
		if trigger == "" {
			trigger = "console"
		}
		// The waiting parent stays root (it writes richsops' history) and
		// starts the job as app.user itself.
		if w := ExecWrapper(cfg, j.Name, trigger, d.User); w != nil {
			d.Argv, d.User, wrapped = append(w, d.Argv...), "", true
			through = []string{t("through richsops jobs exec, which records its start, end and exit code",
				"richsops jobs exec 経由で実行: 開始・終了・終了コードを記録します")}
		}
	}
	// The preview and the audit show the argv that runs, wrapper included.
	a.Argv = d.Argv
	a.Preview = append(a.Preview,
		fmt.Sprintf(t("on %s, as %s (when richsops, or its ssh login, is root) in %s:", "%s で、%s として（richsops または ssh のログインが root の場合）%s で実行:"), h.Name(), asUser, d.Dir),
		"  "+host.ShellQuote(d.Argv),
		t("output appended to ", "出力の追記先: ")+d.Log,
		t("detached in its own session (setsid): keeps running after richsops exits", "独立したセッション（setsid）で実行: richsops を終了しても動き続けます"))
	a.Preview = append(a.Preview, through...)
	a.Preview = append(a.Preview, forcedPreview(cfg, running)...)
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		unlock, err := LockRun(ctx, h, cfg, j.Name)
		if err != nil {
			return gate.Outcome{}, err
		}
		// Held until the new process is listed: the next richsops sees it.
		defer unlock()
		if _, err := runningCheck(ctx, h, cfg, j.Name, spec.Force); err != nil {
			return gate.Outcome{}, err
		}
		details, err := guardAgain(ctx, cfg, j, ov, guard)
		if err != nil {
			return gate.Outcome{}, err
		}
		st, err := h.StartDetached(ctx, d)
		if err != nil {
			return gate.Outcome{Details: details}, err
		}
		details = append(details, t("log: ", "ログ: ")+d.Log)
		p, ok, err := waitStarted(ctx, h, cfg, j.Name, st, wrapped)
		if err != nil {
			return gate.Outcome{Details: details}, err
		}
		if !ok {
			return gate.Outcome{Details: details}, config.Errorf(t, "%s: started on %s as pid %d, but it is not running after %s: see %s",
				"%s: %s で pid %d として開始しましたが、%s 後に実行中ではありません: %s を確認してください", j.Name, h.Name(), st.PID, startWait, d.Log)
		}
		if p.User != cfg.App.User {
			details = append(details, fmt.Sprintf(t("not started as root: runs as %s, not %s", "root で開始していないため %s として実行（%s ではありません）"), p.User, cfg.App.User))
		}
		sum := fmt.Sprintf(t("%s started on %s: pid %d as %s", "%s を %s で開始しました: pid %d（%s として）"), j.Name, h.Name(), p.PID, p.User) + overriddenNote(cfg, ov)
		return gate.Outcome{Summary: sum, Details: details}, nil
	}
	return a, nil
}

// Precheck is RunAction's refusals without building the action: an
// unknown job, a running one without Force (ErrRunning), a guarded one
// whose dependency is unhealthy without Override (*GuardError), an
// Amazon-heavy one during an Amazon block without Override (*BlockError;
// Overridable tells both). The console asks it before it asks for the
// arguments.
func Precheck(ctx context.Context, h host.Host, cfg *config.Config, spec RunSpec, guard GuardCheck) error {
	_, _, _, err := precheck(ctx, h, cfg, spec, guard)
	return err
}

// overridden is what an override lifts: the guard's refusal, the Amazon
// block's, or both (nil = not refused).
type overridden struct {
	ge *GuardError
	be *BlockError
}

// precheck is the job, its running processes and, for an override, the
// refusals it overrides.
func precheck(ctx context.Context, h host.Host, cfg *config.Config, spec RunSpec, guard GuardCheck) (config.Job, []Proc, overridden, error) {
	var ov overridden
	j, err := configuredJob(cfg, spec.Job)
	if err != nil {
		return j, nil, ov, err
	}
	running, err := runningCheck(ctx, h, cfg, j.Name, spec.Force)
	if err != nil {
		return j, running, ov, err
	}
	guardErr := guardStatus(ctx, j, guard, cfg.T)
	if guardErr != nil && !(spec.Override && errors.As(guardErr, &ov.ge)) {
		return j, running, ov, guardErr
	}
	if be := blockStatus(ctx, j, DefaultBlock, cfg.T); be != nil {
		if !spec.Override {
			return j, running, ov, be
		}
		ov.be = be
	}
	return j, running, ov, nil
}

// startWait bounds how long a started run may take to show as the job.
const startWait = 5 * time.Second

// waitStarted finds the started process among job's: on its way the
// remote launcher passes through states whose argv also names the job
// (sh -c SCRIPT ..., setpriv ..., env ...), some still as root, so it
// counts only once it runs the program itself. Started through the waiting
// parent (wrapped), the job is that parent's child.
func waitStarted(ctx context.Context, h host.Host, cfg *config.Config, job string, st host.Started, wrapped bool) (Proc, bool, error) {
	deadline := time.Now().Add(startWait)
	for {
		procs, err := List(ctx, h, cfg, []string{job})
		if err != nil {
			return Proc{}, false, err
		}
		for _, p := range procs {
			if wrapped && p.PPID == st.PID || !wrapped && p.PID == st.PID && len(p.Args) > 0 && p.Args[0] == st.Argv0 {
				return p, true, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return Proc{}, false, ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runAction is the start of a run's action: its name, and for an override
// the danger word and the preview lines that say what it overrides.
func runAction(cfg *config.Config, h host.Host, j config.Job, argv []string, ov overridden) gate.Action {
	a := gate.Action{Name: "jobs.run", Target: j.Name, Host: h.Name(), Argv: argv}
	if ov.ge != nil {
		a.Preview = append(a.Preview, fmt.Sprintf(cfg.T("GUARD OVERRIDE: %s is unhealthy: %s", "ガードを無視: %s が異常です: %s"), ov.ge.Guard, ov.ge.reason(cfg.T)))
	}
	if ov.be != nil {
		a.Preview = append(a.Preview, cfg.T("AMAZON BLOCK OVERRIDE: ", "Amazon ブロックを無視: ")+ov.be.reason(cfg.T),
			cfg.T("an Amazon-heavy run keeps the block on while it runs", "Amazon を多く使う実行は、実行中ブロックを長引かせます"))
	}
	if ov.ge != nil || ov.be != nil {
		a.Name, a.Danger = "jobs.run.override", OverrideWord
		a.Preview = append(a.Preview, fmt.Sprintf(cfg.T("type %s to start it anyway (audited)", "それでも開始するには %s と入力（監査ログに記録）"), OverrideWord))
	}
	return a
}

// forcedPreview is the preview line of a run started next to running ones.
func forcedPreview(cfg *config.Config, running []Proc) []string {
	if len(running) == 0 {
		return nil
	}
	return []string{fmt.Sprintf(cfg.T("FORCED: %d instance(s) already running: %s", "強制: すでに %d 個が実行中: %s"), len(running), PIDList(running))}
}

// guardAgain re-checks the guard and the Amazon block right before a
// start; what an override lifted is skipped and noted in the details.
func guardAgain(ctx context.Context, cfg *config.Config, j config.Job, ov overridden, guard GuardCheck) ([]string, error) {
	var details []string
	if ov.ge != nil {
		details = append(details, cfg.T("guard overridden: ", "ガードを無視: ")+ov.ge.reason(cfg.T))
	} else if err := guardStatus(ctx, j, guard, cfg.T); err != nil {
		return details, err
	}
	if ov.be != nil {
		return append(details, cfg.T("Amazon block overridden: ", "Amazon ブロックを無視: ")+ov.be.reason(cfg.T)), nil
	}
	if be := blockStatus(ctx, j, DefaultBlock, cfg.T); be != nil {
		return details, be
	}
	return details, nil
}

// overriddenNote ends the summary of an override.
func overriddenNote(cfg *config.Config, ov overridden) string {
	s := ""
	if ov.ge != nil {
		s += fmt.Sprintf(cfg.T(" (guard overridden: %s was unhealthy: %s)", "（ガードを無視: %s は異常でした: %s）"), ov.ge.Guard, ov.ge.reason(cfg.T))
	}
	if ov.be != nil {
		s += fmt.Sprintf(cfg.T(" (Amazon block overridden: %s)", "（Amazon ブロックを無視: %s）"), ov.be.reason(cfg.T))
	}
	return s
}

// runningCheck lists job's processes and refuses (ErrRunning, in cfg's
// language) when there are some and force is off.
func runningCheck(ctx context.Context, h host.Host, cfg *config.Config, job string, force bool) ([]Proc, error) {
	procs, err := List(ctx, h, cfg, []string{job})
	if err != nil {
		return nil, err
	}
	if len(procs) > 0 && !force {
		return procs, config.Errorf(cfg.T, "%s: %w (pids %s)", "%[1]s: すでに実行中です（pid %[3]s）。重複して実行するには force が必要です",
			job, ErrRunning, PIDList(procs))
	}
	return procs, nil
}

// configuredJob is the job of that name, or the refusal to act on a job
// the config does not name.
func configuredJob(cfg *config.Config, name string) (config.Job, error) {
	j, ok := cfg.Job(name)
	if !ok {
		return j, config.Errorf(cfg.T, "%s: not a configured job", "%s: 設定にないジョブです", name)
	}
	return j, nil
}

// PIDList is the pids of procs, comma-separated.
func PIDList(procs []Proc) string {
	s := make([]string, len(procs))
	for i, p := range procs {
		s[i] = strconv.Itoa(p.PID)
	}
	return strings.Join(s, ", ")
}
