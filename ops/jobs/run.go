package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

// launch is how a run is started: who, where, what, and into which log.
type launch struct {
	argv    []string
	dir     string
	env     []string
	log     string
	cred    *syscall.Credential
	asUser  string
	logUID  int
	logGID  int
	warning string // e.g. "not root: runs as hai"
	t       func(en, ja string) string
}

// loginPath is the PATH a login shell of a user gets on the box (RHEL's
// ENV_PATH plus ~/.local/bin and ~/bin from the default .bash_profile).
func loginPath(home string) string {
	return home + "/.local/bin:" + home + "/bin:/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin"
}

func planLaunch(cfg *config.Config, j config.Job, args []string) (launch, error) {
	l := launch{dir: cfg.App.Dir, log: cfg.JobLogPath(j), logUID: -1, logGID: -1, t: cfg.T}
	if os.Geteuid() == 0 {
		cred, u, err := UserCredential(cfg.App.User)
		if err != nil {
			return l, fmt.Errorf("app.user %q: %w", cfg.App.User, err)
		}
		l.cred = cred
		l.asUser, l.logUID, l.logGID = u.Username, int(cred.Uid), int(cred.Gid)
		env := map[string]string{"HOME": u.HomeDir, "USER": u.Username, "LOGNAME": u.Username,
			"SHELL": "/bin/bash", "PATH": loginPath(u.HomeDir)}
		for k, v := range cfg.App.Env {
			env[k] = v
		}
		l.env = host.MergeEnv(nil, env)
	} else {
		name := strconv.Itoa(os.Getuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		l.asUser = name
		l.env = host.MergeEnv(os.Environ(), cfg.App.Env)
		if name != cfg.App.User {
			l.warning = fmt.Sprintf(cfg.T("richsops is not root: runs as %s, not %s", "richsops が root でないため %s として実行（%s ではありません）"), name, cfg.App.User)
		}
	}
	python, err := lookPath(cfg.App.Python, envValue(l.env, "PATH"), cfg.T)
	if err != nil {
		return l, err
	}
	if args == nil {
		args = j.Args
	}
	l.argv = append([]string{python, cfg.App.Manage, j.Name}, args...)
	return l, nil
}

// UserCredential is what a process started as the named user runs with:
// its uid, primary gid and supplementary groups.
func UserCredential(name string) (*syscall.Credential, *user.User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, nil, err
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	var groups []uint32
	if gs, err := u.GroupIds(); err == nil {
		for _, g := range gs {
			if v, err := strconv.ParseUint(g, 10, 32); err == nil {
				groups = append(groups, uint32(v))
			}
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, u, nil
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// lookPath finds name in path (the PATH of the user the job runs as, not
// richsops' own); its refusal is in t's language.
func lookPath(name, path string, t func(en, ja string) string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, d := range filepath.SplitList(path) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", config.Errorf(t, "app.python %q not found in PATH %s; set app.python to its full path",
		"app.python %q が PATH %s にありません。app.python にフルパスを設定してください", name, path)
}

// start runs the job detached in its own session: stdin /dev/null, stdout
// and stderr appended to the log through one O_APPEND descriptor (no shell,
// so no `&`-before-redirect mistake), as the job's user. It returns the pid.
func (l launch) start() (int, error) {
	if fi, err := os.Stat(l.dir); err != nil || !fi.IsDir() {
		return 0, config.Errorf(l.t, "app folder %s: not a folder (%v)", "アプリのフォルダ %s: フォルダではありません（%v）", l.dir, err)
	}
	_, statErr := os.Lstat(l.log)
	// The log folder belongs to the app user: as root, never follow a
	// symlink planted there, and never block on a FIFO.
	logf, err := os.OpenFile(l.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return 0, fmt.Errorf("log: %w", err)
	}
	defer logf.Close()
	if fi, err := logf.Stat(); err != nil || !fi.Mode().IsRegular() {
		return 0, config.Errorf(l.t, "log %s: not a regular file", "ログ %s: 通常のファイルではありません", l.log)
	}
	if os.IsNotExist(statErr) && l.logUID >= 0 {
		// A log richsops creates as root must stay writable by cron's runs.
		_ = logf.Chown(l.logUID, l.logGID)
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	cmd := exec.Command(l.argv[0], l.argv[1:]...)
	cmd.Dir, cmd.Env = l.dir, l.env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: l.cred}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reap it if it ends while richsops runs
	select {
	case err := <-exited:
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		if code != 0 {
			return pid, config.Errorf(l.t, "pid %d exited at once with status %d (%v): see %s",
				"pid %d はすぐに終了しました（終了コード %d、%v）: %s を確認してください", pid, code, err, l.log)
		}
	case <-time.After(700 * time.Millisecond):
	}
	return pid, nil
}

// RunAction builds the run-now action. It refuses a running job without
// Force and a guarded job whose dependency is unhealthy without Override;
// an override action carries Danger = OVERRIDE and says why in its preview.
// Both checks are made again right before the start.
func RunAction(ctx context.Context, h host.Host, cfg *config.Config, spec RunSpec, guard GuardCheck) (gate.Action, error) {
	j, err := configuredJob(cfg, spec.Job)
	if err != nil {
		return gate.Action{}, err
	}
	running, err := runningCheck(ctx, h, cfg, j.Name, spec.Force)
	if err != nil {
		return gate.Action{}, err
	}
	guardErr := guardStatus(ctx, j, guard, cfg.T)
	var ge *GuardError
	if guardErr != nil && !(spec.Override && errors.As(guardErr, &ge)) {
		return gate.Action{}, guardErr
	}
	if !h.IsLocal() {
		return remoteRunAction(h, cfg, j, spec, running, ge, guard), nil
	}
	l, err := planLaunch(cfg, j, spec.Args)
	if err != nil {
		return gate.Action{}, err
	}
	t := cfg.T
	a := runAction(cfg, h, j, l.argv, ge)
	a.Preview = append(a.Preview,
		fmt.Sprintf(t("as %s in %s:", "%s として %s で実行:"), l.asUser, l.dir),
		"  "+host.ShellQuote(l.argv),
		t("output appended to ", "出力の追記先: ")+l.log,
		t("detached in its own session: keeps running after richsops exits", "独立したセッションで実行: richsops を終了しても動き続けます"))
	if l.warning != "" {
		a.Preview = append(a.Preview, l.warning)
	}
	a.Preview = append(a.Preview, forcedPreview(cfg, running)...)
	wrapped := false
	if ExecWrapper != nil {
		trigger := spec.Trigger
		if trigger == "" {
			trigger = "console"
		}
		user := ""
		if l.cred != nil {
			// The waiting parent stays root (it writes richsops' history)
			// and starts the job as the user itself.
			user, l.cred = l.asUser, nil
		}
		if w := ExecWrapper(cfg, j.Name, trigger, user); w != nil {
			l.argv, wrapped = append(w, l.argv...), true
			a.Preview = append(a.Preview, t("through richsops jobs exec, which records its start, end and exit code",
				"richsops jobs exec 経由で実行: 開始・終了・終了コードを記録します"))
		}
	}
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
		details, err := guardAgain(ctx, cfg, j, ge, guard)
		if err != nil {
			return gate.Outcome{}, err
		}
		pid, err := l.start()
		if err != nil {
			return gate.Outcome{Details: details}, err
		}
		if wrapped {
			// The job itself starts only once its waiting parent is up:
			// hold the run lock until it is listed, so that a second run
			// now meanwhile sees it running.
			waitListed(ctx, h, cfg, j.Name, 10*time.Second)
		}
		sum := fmt.Sprintf(t("%s started: pid %d as %s", "%s を開始しました: pid %d（%s として）"), j.Name, pid, l.asUser) + overriddenNote(cfg, ge)
		details = append(details, t("log: ", "ログ: ")+l.log)
		if l.warning != "" {
			details = append(details, l.warning)
		}
		return gate.Outcome{Summary: sum, Details: details}, nil
	}
	return a, nil
}

// waitListed waits, up to max, until a process of job is listed.
func waitListed(ctx context.Context, h host.Host, cfg *config.Config, job string, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ps, err := List(ctx, h, cfg, []string{job}); err == nil && len(ps) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runAction is the start of a run's action: its name, and for an override
// (ge set) the danger word and the preview lines that say why.
func runAction(cfg *config.Config, h host.Host, j config.Job, argv []string, ge *GuardError) gate.Action {
	a := gate.Action{Name: "jobs.run", Target: j.Name, Host: h.Name(), Argv: argv}
	if ge != nil {
		a.Name, a.Danger = "jobs.run.override", OverrideWord
		a.Preview = append(a.Preview, fmt.Sprintf(cfg.T("GUARD OVERRIDE: %s is unhealthy: %s", "ガードを無視: %s が異常です: %s"), ge.Guard, ge.reason(cfg.T)),
			fmt.Sprintf(cfg.T("type %s to start it anyway (audited)", "それでも開始するには %s と入力（監査ログに記録）"), OverrideWord))
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

// guardAgain re-checks the guard right before a start; an override (ge
// set) skips it and notes why in the details.
func guardAgain(ctx context.Context, cfg *config.Config, j config.Job, ge *GuardError, guard GuardCheck) ([]string, error) {
	if ge != nil {
		return []string{cfg.T("guard overridden: ", "ガードを無視: ") + ge.reason(cfg.T)}, nil
	}
	return nil, guardStatus(ctx, j, guard, cfg.T)
}

// overriddenNote ends the summary of an override (ge set).
func overriddenNote(cfg *config.Config, ge *GuardError) string {
	if ge == nil {
		return ""
	}
	return fmt.Sprintf(cfg.T(" (guard overridden: %s was unhealthy: %s)", "（ガードを無視: %s は異常でした: %s）"), ge.Guard, ge.reason(cfg.T))
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
