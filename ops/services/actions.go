package services

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
)

// PollInterval is how often an action re-reads the state while it waits
// for the expected one.
var PollInterval = 300 * time.Millisecond

// Action builds the gate action that does v to the service on h and then
// verifies the outcome. The service's Host must be h's name.
func Action(s Spec, h host.Host, v Verb) (gate.Action, error) {
	if err := s.CanDo(v); err != nil {
		return gate.Action{}, err
	}
	a := gate.Action{Name: "services." + string(v), Target: s.Name, Host: s.Host}
	var steps stepper
	switch s.Kind {
	case KindSystemd:
		if err := checkUnit(s.Unit); err != nil {
			return gate.Action{}, err
		}
		a.Argv = UnitArgv(s.Systemctl, v, s.Unit)
		a.Preview = []string{host.ShellQuote(a.Argv)}
		if v == Restart && s.RetryOnTimeout {
			a.Preview = append(a.Preview, fmt.Sprintf(s.t("run again once if it does not finish within %s (as the runbook does)",
				"%s以内に終わらなければもう一度だけ実行（手順書どおり）"), human.DurationT(s.t, s.Timeout.Duration)))
		}
		steps = systemdSteps
	case KindPM2:
		if v == Stop {
			a.Argv = PM2StopArgv(s)
			a.Preview = []string{host.ShellQuote(a.Argv)}
			steps = pm2StopSteps
			break
		}
		a.Argv = PM2RestartArgv(s)
		a.Preview = []string{
			fmt.Sprintf(s.t("if pm2 knows %s:", "pm2 に %s があれば:"), s.App),
			"  " + host.ShellQuote(a.Argv),
			s.t("else:", "なければ:"),
			"  " + host.ShellQuote(PM2StartArgv(s)),
			fmt.Sprintf(s.t("if the configured env is then not in force: %s, and start as above",
				"その後も設定の env が反映されていなければ: %s を実行して、上のとおり開始"), host.ShellQuote(PM2DeleteArgv(s))),
		}
		if len(s.Env) > 0 {
			a.Preview = append(a.Preview, s.t("env to verify in pm2 jlist: ", "pm2 jlist で確認する env: ")+envList(s.Env))
		}
		steps = pm2StartSteps
	case KindCommand:
		var err error
		a.Argv, a.Preview, err = commandPlan(s, v)
		if err != nil {
			return gate.Action{}, err
		}
		steps = commandSteps
	default:
		return gate.Action{}, fmt.Errorf("%s: unknown kind %q", s.Name, s.Kind)
	}
	a.Preview = append(a.Preview, fmt.Sprintf(s.t("then wait up to %s until it is %s", "続けて「%[2]s」になるまで最大%[1]s待つ"),
		human.DurationT(s.t, s.Timeout.Duration), s.t(expectWord(v))))
	if (v == Reload || v == Restart) && len(s.ConfigTest) > 0 {
		a.Preview = append([]string{fmt.Sprintf(s.t("first %s: if it fails, no %s", "まず %s: 失敗したら%sしない"),
			host.ShellQuote(s.ConfigTest), s.t(string(v), testedVerbJa(v)))}, a.Preview...)
	}
	if v == Start {
		// pm2 would restart a running app, and systemctl start of an active
		// unit does nothing: either way start leaves a running service alone.
		a.Preview = append(a.Preview, s.t("if it is running when this runs: nothing is done (restart restarts it)",
			"実行時に稼働中なら何もしない（再起動は restart）"))
		if Running(s.Seen) {
			a.Preview = append([]string{alreadyRunning(s, s.Seen)}, a.Preview...)
		}
	}
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		r := &run{s: s, h: h, v: v, started: time.Now()}
		r.before = StatusOf(ctx, s, h)
		if v == Start && Running(r.before) {
			r.logf(r.s.t("state: %s", "状態: %s"), describe(r.before, r.s.T))
			return r.outcome(alreadyRunning(s, r.before)), nil
		}
		if (v == Reload || v == Restart) && len(s.ConfigTest) > 0 {
			if err := r.configTest(ctx); err != nil {
				return r.outcome(""), err
			}
		}
		if err := steps(ctx, r); err != nil {
			return r.outcome(""), err
		}
		return r.verify(ctx)
	}
	return a, nil
}

// Running tells whether the service's process runs: up, or a pm2 app
// online with another env than the configured one (start would not change
// that; restart does).
func Running(st Status) bool {
	return st.State == Up || (st.Kind == KindPM2 && st.State == Degraded && len(st.EnvMismatch) > 0)
}

// alreadyRunning says that start has nothing to do, and when the env in
// force differs, that restart applies it.
func alreadyRunning(s Spec, st Status) string {
	msg := fmt.Sprintf(s.t("%s is already running (%s): start does nothing", "%s はすでに稼働中です（%s）: 開始では何もしません"),
		s.Name, describe(st, s.T))
	if len(st.EnvMismatch) > 0 {
		msg += s.t("; restart applies the configured env", "。設定の env を反映するには再起動")
	}
	return msg
}

func checkUnit(u string) error {
	if u == "" || strings.HasPrefix(u, "-") || strings.ContainsAny(u, " \t\n") {
		return fmt.Errorf("bad unit name %q", u)
	}
	return nil
}

func envList(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + env[k]
	}
	return strings.Join(keys, " ")
}

// expectWord is the state v should leave behind, in English and Japanese.
func expectWord(v Verb) (en, ja string) {
	if v == Stop {
		return "down", "停止"
	}
	if v == Restart {
		return "up again (new pid or start time)", "再び稼働（新しい pid か開始時刻）"
	}
	return "up", "稼働"
}

// stepper runs an action's commands; verify comes after.
type stepper func(ctx context.Context, r *run) error

// run is one action in progress: what it did, for the outcome's details.
type run struct {
	s       Spec
	h       host.Host
	v       Verb
	started time.Time
	before  Status
	details []string
}

func (r *run) logf(format string, a ...any) { r.details = append(r.details, fmt.Sprintf(format, a...)) }

// exec runs one command of the action with the service's timeout.
func (r *run) exec(ctx context.Context, argv []string, dir string) error {
	res, err := r.h.Run(ctx, host.Cmd{Argv: argv, Dir: dir, Timeout: r.s.Timeout.Duration})
	if err != nil {
		r.logf("$ %s: %v (%s)", host.ShellQuote(argv), err, human.Duration(res.Duration))
		return err
	}
	r.logf("$ %s: ok (%s)", host.ShellQuote(argv), human.Duration(res.Duration))
	return nil
}

// configTest runs the service's config test (nginx -t) and refuses the
// reload or restart when it fails, with what the test printed: nginx says
// what is wrong on stderr, also when the test passes.
func (r *run) configTest(ctx context.Context) error {
	argv := r.s.ConfigTest
	res, err := r.h.Run(ctx, host.Cmd{Argv: argv, Timeout: r.s.Timeout.Duration})
	said := strings.TrimSpace(string(res.Stderr) + "\n" + string(res.Stdout))
	var lines []string
	for _, l := range strings.Split(said, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, sanitize.Cap(l, 500))
		}
	}
	if err == nil {
		r.logf("$ %s: ok (%s)", host.ShellQuote(argv), human.Duration(res.Duration))
		r.details = append(r.details, lines...)
		return nil
	}
	r.logf(r.s.t("$ %s: failed (%s)", "$ %s: 失敗（%s）"), host.ShellQuote(argv), human.Duration(res.Duration))
	r.details = append(r.details, lines...)
	why := sanitize.String(err.Error())
	var ee *host.ExitError
	if errors.As(err, &ee) && len(lines) > 0 {
		why = strings.Join(lines, " | ")
	}
	return config.Errorf(r.s.T, "%[1]s: %[2]s failed, no %[3]s: %[4]s", "%[1]s: %[2]s が失敗したため%[5]sしていません: %[4]s",
		r.s.Name, host.ShellQuote(argv), r.v, why, testedVerbJa(r.v))
}

// testedVerbJa names the verbs a config test guards, in Japanese.
func testedVerbJa(v Verb) string {
	if v == Reload {
		return "リロード"
	}
	return "再起動"
}

func (r *run) outcome(summary string) gate.Outcome {
	return gate.Outcome{Summary: summary, Details: r.details}
}

// reached tells whether st is what the verb should leave behind.
func (r *run) reached(st Status) bool {
	switch r.v {
	case Stop:
		return st.State == Down
	case Restart:
		if st.State != Up {
			return false
		}
		// A restart shows as a new pid or a later start; when neither is
		// known (plain commands) being up is all there is to check.
		if r.before.State == Up && r.before.PID != 0 && st.PID != 0 {
			return st.PID != r.before.PID
		}
		if r.before.State == Up && !r.before.Since.IsZero() && !st.Since.IsZero() {
			return st.Since.After(r.before.Since)
		}
		return true
	}
	return st.State == Up
}

// wait polls the state until the verb's expected state or the timeout.
func (r *run) wait(ctx context.Context) (Status, bool) {
	deadline := time.Now().Add(r.s.Timeout.Duration)
	for {
		st := StatusOf(ctx, r.s, r.h)
		if r.reached(st) {
			return st, true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return st, false
		}
		select {
		case <-ctx.Done():
		case <-time.After(PollInterval):
		}
	}
}

// verify waits for the expected state and says which came: that state, or
// the timeout with the state it was left in.
func (r *run) verify(ctx context.Context) (gate.Outcome, error) {
	st, ok := r.wait(ctx)
	took := human.DurationT(r.s.t, time.Since(r.started))
	r.logf(r.s.t("state: %s", "状態: %s"), describe(st, r.s.T))
	if !ok {
		return r.outcome(""), r.notReached(st)
	}
	return r.outcome(fmt.Sprintf(r.s.t("%s %s, verified in %s: %s", "%s を%s（%s で確認）: %s"),
		r.s.Name, r.s.t(pastTense(r.v)), took, describe(st, r.s.T))), nil
}

// notReached: the verb's command ran, but after the timeout the service
// is in st, not in the state the verb should leave behind. The state words
// are given in both languages, so that the English text (the audit log's)
// has no Japanese in it.
func (r *run) notReached(st Status) error {
	expectEn, expectJa := expectWord(r.v)
	return config.Errorf(r.s.T, "%[1]s: %[2]s ran, but after %[3]s it is %[4]s, not %[5]s",
		"%[1]s: %[2]s を実行しましたが、%[8]s経っても「%[7]s」になりません（今: %[6]s）",
		r.s.Name, r.v, human.Duration(r.s.Timeout.Duration), Describe(st), expectEn, describe(st, r.s.T), expectJa, human.DurationT(r.s.T, r.s.Timeout.Duration))
}

// pastTense is what v did, in English and Japanese.
func pastTense(v Verb) (en, ja string) {
	switch v {
	case Stop:
		return "stopped", "停止しました"
	case Start:
		return "started", "開始しました"
	case Reload:
		return "reloaded", "リロードしました"
	}
	return "restarted", "再起動しました"
}

// stateJa is a state in Japanese, in the Services tab's words.
var stateJa = map[State]string{Up: "稼働", Degraded: "不調", Down: "停止", Unknown: "不明"}

// Describe is a status in one line: "up, active (running), pid 1234, since 03:12:08".
func Describe(st Status) string { return describe(st, nil) }

// describe is Describe in tr's language (nil = English); the detail (what
// systemd or pm2 says) stays as it is.
func describe(st Status, tr func(en, ja string) string) string {
	t := func(en, ja string) string { return config.Tr(tr, en, ja) }
	state := string(st.State)
	if ja, ok := stateJa[st.State]; ok {
		state = t(state, ja)
	}
	parts := []string{state}
	if st.Detail != "" && st.Detail != string(st.State) {
		parts = append(parts, st.Detail)
	}
	if st.PID > 0 {
		parts = append(parts, fmt.Sprintf("pid %d", st.PID))
	}
	if !st.Since.IsZero() {
		parts = append(parts, fmt.Sprintf(t("since %s", "%s から"), st.Since.Format("01-02 15:04:05")))
	}
	if len(st.EnvMismatch) > 0 {
		parts = append(parts, "env: "+strings.Join(st.EnvMismatch, "; "))
	}
	return strings.Join(parts, t(", ", "、"))
}

func systemdSteps(ctx context.Context, r *run) error {
	argv := UnitArgv(r.s.Systemctl, r.v, r.s.Unit)
	err := r.exec(ctx, argv, "")
	if err != nil && errors.Is(err, host.ErrTimeout) && r.v == Restart && r.s.RetryOnTimeout {
		r.logf("%s", r.s.t("timed out: running it once more, as the runbook says", "タイムアウト: 手順書どおりもう一度実行"))
		err = r.exec(ctx, argv, "")
	}
	return err
}

func pm2StopSteps(ctx context.Context, r *run) error {
	return r.exec(ctx, PM2StopArgv(r.s), "")
}

// pm2StartSteps (re)starts the app with the configured environment. pm2
// freezes an app's environment at its first start: restart --update-env
// replaces it; when the app is still not running with the configured values
// afterwards, it is deleted and started afresh, which always takes the env.
func pm2StartSteps(ctx context.Context, r *run) error {
	procs, err := ListPM2(ctx, r.h, r.s.PM2)
	if err != nil {
		return err
	}
	if _, known := FindPM2(procs, r.s.App); !known {
		return r.freshStart(ctx)
	}
	if err := r.exec(ctx, PM2RestartArgv(r.s), ""); err != nil {
		return err
	}
	if len(r.s.Env) == 0 {
		return nil
	}
	// pm2 stores the new env before `pm2 restart` returns, so one look at
	// jlist tells whether --update-env took.
	if st := StatusOf(ctx, r.s, r.h); len(st.EnvMismatch) > 0 {
		r.logf(r.s.t("env not in force after --update-env (%s): deleting and starting afresh",
			"--update-env 後も env が反映されていません（%s）: 削除して新しく開始"), strings.Join(st.EnvMismatch, "; "))
		if err := r.exec(ctx, PM2DeleteArgv(r.s), ""); err != nil {
			return err
		}
		return r.freshStart(ctx)
	}
	return nil
}

func (r *run) freshStart(ctx context.Context) error {
	if r.s.Script == "" {
		return config.Errorf(r.s.T, "%s is not in pm2's list and no script is configured to start it",
			"%s は pm2 の一覧になく、開始するスクリプトも設定されていません", r.s.App)
	}
	return r.exec(ctx, PM2StartArgv(r.s), r.s.Path)
}

// commandPlan is what a plain-command service runs for v: its own restart
// argv, or stop then start.
func commandPlan(s Spec, v Verb) (argv []string, preview []string, err error) {
	pick := map[Verb][]string{Start: s.Start, Stop: s.Stop, Restart: s.Restart}[v]
	if len(pick) > 0 {
		return pick, []string{host.ShellQuote(pick)}, nil
	}
	if v == Restart && len(s.Start) > 0 && len(s.Stop) > 0 {
		return s.Stop, []string{host.ShellQuote(s.Stop), s.t("then ", "続けて ") + host.ShellQuote(s.Start)}, nil
	}
	return nil, nil, config.Errorf(s.T, "%s has no %s command configured", "%s には %s コマンドが設定されていません", s.Name, v)
}

func commandSteps(ctx context.Context, r *run) error {
	if r.v == Restart && len(r.s.Restart) == 0 {
		if r.before.State == Down {
			// Like systemctl restart of a stopped unit: just start it.
			r.logf(r.s.t("%s is down: starting it", "%s は停止中: 開始します"), r.s.Name)
			return r.exec(ctx, r.s.Start, "")
		}
		if err := r.exec(ctx, r.s.Stop, ""); err != nil {
			return err
		}
		// Wait for it to be down, so start does not race the old process.
		stopped := *r
		stopped.v = Stop
		if st, ok := stopped.wait(ctx); !ok {
			return stopped.notReached(st)
		}
		return r.exec(ctx, r.s.Start, "")
	}
	argv, _, err := commandPlan(r.s, r.v)
	if err != nil {
		return err
	}
	return r.exec(ctx, argv, "")
}
