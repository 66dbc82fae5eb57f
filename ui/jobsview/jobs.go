// Package jobsview is the Jobs tab: the four stock checks, their cron
// schedule, next and last run, running processes, MISSED runs, and the keys
// to run now, kill, pause and resume.
package jobsview

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/common/lineinput"
)

// refreshEvery is the process list refresh while the tab is shown.
const refreshEvery = 3 * time.Second

// opTimeout bounds every ops call the tab makes.
const opTimeout = 20 * time.Second

type mode int

const (
	modeList mode = iota
	modeDetails
	modeArgs // editing run-now arguments
	modeAsk  // a y/n question (pause: also stop processes? resume: run now?)
)

type keys struct {
	Run, Force, Override, Kill, KillAll, Pause, Log key.Binding
}

func newKeys(t func(en, ja string) string) keys {
	return keys{
		Run:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", t("run now", "今すぐ実行"))),
		Force:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", t("run another instance", "重複実行"))),
		Override: key.NewBinding(key.WithKeys("O"), key.WithHelp("O", t("run despite guard", "ガード無視で実行"))),
		Kill:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", t("kill process", "プロセス停止"))),
		KillAll:  key.NewBinding(key.WithKeys("X"), key.WithHelp("X", t("kill all of job", "全プロセス停止"))),
		Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", t("pause/resume cron", "cron 停止/再開"))),
		Log:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", t("open log", "ログを開く"))),
	}
}

// Tab is the Jobs tab model.
type Tab struct {
	d      *common.Deps
	k      keys
	nav    common.NavKeys
	w, h   int
	active bool
	gen    int // tick generation: a hidden tab lets its tick die
	// hostName is the host the tab shows and acts on: the current host
	// (Deps.Host), followed on HostChangedMsg.
	hostName string

	st       []jobs.Status
	err      string
	loadedAt time.Time
	loading  bool

	cur   int // selected job
	pcur  int // selected process in details
	mode  mode
	input lineinput.Model
	tail  []string
	// run request being edited or offered again with force/override
	runSpec jobs.RunSpec
	// the y/n question
	ask struct {
		text string
		yes  func() tea.Cmd
		no   func() tea.Cmd
	}
	hint string // a line under the table: why something was refused, what key would do it
}

// Messages.
type (
	snapshotMsg struct {
		host string // the host it was taken on: a late one from the previous host is dropped
		st   []jobs.Status
		err  error
	}
	tickMsg struct{ gen int }
	tailMsg struct {
		job   string
		lines []string
		err   error
	}
	builtMsg struct {
		a    gate.Action
		err  error
		spec *jobs.RunSpec // set for run-now
	}
)

// New builds the Jobs tab.
func New(d *common.Deps) common.Tab {
	in := lineinput.New()
	in.CharLimit = 200
	in.Prompt = d.T("args> ", "引数> ")
	name := d.Host
	if name == "" {
		name = d.Cfg.Host
	}
	return &Tab{d: d, k: newKeys(d.T), nav: common.NewNavKeys(d.T), input: in, w: 80, h: 20, hostName: name}
}

func (t *Tab) Title() string   { return t.d.T("Jobs", "ジョブ") }
func (t *Tab) Capturing() bool { return t.mode == modeArgs || t.mode == modeAsk }
func (t *Tab) SetSize(w, h int) {
	t.w, t.h = w, h
	t.input.Width = w - 10
}

func (t *Tab) Init() tea.Cmd { return t.refresh() }

func (t *Tab) host() (host.Host, error) { return t.d.Hosts.Get(t.hostName) }

func (t *Tab) refresh() tea.Cmd {
	if t.loading {
		return nil
	}
	t.loading = true
	cfg, now := t.d.Cfg, t.d.Now()
	name := t.hostName
	h, herr := t.host()
	return func() tea.Msg {
		if herr != nil {
			return snapshotMsg{host: name, err: herr}
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		st, err := jobs.Snapshot(ctx, h, cfg, now)
		return snapshotMsg{host: name, st: st, err: err}
	}
}

func (t *Tab) tick() tea.Cmd {
	gen := t.gen
	return common.Every(refreshEvery, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

func (t *Tab) selected() (jobs.Status, bool) {
	if t.cur < 0 || t.cur >= len(t.st) {
		return jobs.Status{}, false
	}
	return t.st[t.cur], true
}

// build runs an action builder off the UI goroutine.
func (t *Tab) build(spec *jobs.RunSpec, f func(ctx context.Context, h host.Host) (gate.Action, error)) tea.Cmd {
	h, herr := t.host()
	return func() tea.Msg {
		if herr != nil {
			return builtMsg{err: herr, spec: spec}
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		a, err := f(ctx, h)
		return builtMsg{a: a, err: err, spec: spec}
	}
}

func (t *Tab) loadTail(job, path string) tea.Cmd {
	h, herr := t.host()
	return func() tea.Msg {
		if herr != nil {
			return tailMsg{job: job, err: herr}
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		data, err := jobs.Tail(ctx, h, path)
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 200 {
			lines = lines[len(lines)-200:]
		}
		return tailMsg{job: job, lines: lines, err: err}
	}
}

func (t *Tab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		t.active = msg.Active
		t.gen++
		if msg.Active {
			return t, tea.Batch(t.refresh(), t.tick())
		}
		return t, nil
	case tickMsg:
		if msg.gen != t.gen || !t.active {
			return t, nil
		}
		cmds := []tea.Cmd{t.refresh(), t.tick()}
		if s, ok := t.selected(); ok && t.mode == modeDetails {
			cmds = append(cmds, t.loadTail(s.Name, s.Log))
		}
		return t, tea.Batch(cmds...)
	case common.HostChangedMsg:
		// What was shown belongs to the previous host: drop it, load anew.
		t.hostName = msg.Name
		t.st, t.err, t.tail, t.hint = nil, "", nil, ""
		t.loadedAt, t.loading, t.cur, t.pcur = time.Time{}, false, 0, 0
		if t.mode == modeDetails {
			t.mode = modeList
		}
		return t, t.refresh()
	case snapshotMsg:
		if msg.host != t.hostName && !(host.IsLocalName(msg.host) && host.IsLocalName(t.hostName)) {
			return t, nil
		}
		t.loading = false
		t.loadedAt = t.d.Now()
		t.err = ""
		if msg.err != nil {
			t.err = msg.err.Error()
		} else {
			t.st = msg.st
		}
		if t.cur >= len(t.st) {
			t.cur = max(0, len(t.st)-1)
		}
		return t, nil
	case tailMsg:
		if s, ok := t.selected(); ok && s.Name == msg.job {
			t.tail = msg.lines
			if msg.err != nil {
				t.tail = []string{t.d.T("log: ", "ログ: ") + msg.err.Error()}
			}
		}
		return t, nil
	case builtMsg:
		return t, t.built(msg)
	case common.ActionDoneMsg:
		cmds := []tea.Cmd{t.refresh()}
		if msg.Result.Action == "jobs.resume" && msg.Result.Err == nil && !t.d.ReadOnly && t.active {
			job := msg.Result.Target
			t.askYN(fmt.Sprintf(t.d.T("%s resumed. Run it now too? [y/n]", "%s を再開しました。今すぐ実行しますか? [y/n]"), job),
				func() tea.Cmd { return t.openArgs(jobs.RunSpec{Job: job}) }, nil)
		}
		return t, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		return t, t.key(msg)
	}
	return t, nil
}

// built turns a built action into a confirm, or a refusal into a hint.
func (t *Tab) built(msg builtMsg) tea.Cmd {
	if msg.err == nil {
		t.hint = ""
		return common.Confirm(msg.a)
	}
	var ge *jobs.GuardError
	switch {
	case msg.spec != nil && errors.As(msg.err, &ge):
		t.runSpec = *msg.spec
		t.hint = t.d.T("press O to override (typed confirmation): ", "O で強制実行（確認入力あり）: ") + msg.err.Error()
	case msg.spec != nil && errors.Is(msg.err, jobs.ErrRunning):
		t.runSpec = *msg.spec
		t.hint = t.d.T("press F to start another instance: ", "F で重複して実行: ") + msg.err.Error()
	default:
		t.hint = msg.err.Error()
	}
	return common.Toast(msg.err.Error(), true)
}

func (t *Tab) askYN(text string, yes, no func() tea.Cmd) {
	t.mode = modeAsk
	t.ask.text, t.ask.yes, t.ask.no = text, yes, no
}

func (t *Tab) openArgs(spec jobs.RunSpec) tea.Cmd {
	j, ok := t.d.Cfg.Job(spec.Job)
	if !ok {
		return nil
	}
	args := spec.Args
	if args == nil {
		args = j.Args
	}
	t.runSpec = spec
	t.input.SetValue(strings.Join(args, " "))
	t.input.CursorEnd()
	t.mode = modeArgs
	return t.input.Focus()
}

func (t *Tab) key(msg tea.KeyPressMsg) tea.Cmd {
	switch t.mode {
	case modeArgs:
		switch msg.String() {
		case "esc":
			t.mode = modeList
			t.input.Blur()
			return nil
		case "enter":
			t.mode = modeList
			t.input.Blur()
			spec := t.runSpec
			spec.Args = strings.Fields(t.input.Value())
			cfg := t.d.Cfg
			return t.build(&spec, func(ctx context.Context, h host.Host) (gate.Action, error) {
				return jobs.RunAction(ctx, h, cfg, spec, jobs.DefaultGuard)
			})
		}
		var cmd tea.Cmd
		t.input, cmd = t.input.Update(msg)
		return cmd
	case modeAsk:
		var f func() tea.Cmd
		switch msg.String() {
		case "y", "Y":
			f = t.ask.yes
		case "n", "N", "esc":
			f = t.ask.no
		default:
			return nil
		}
		t.mode = modeList
		if f != nil {
			return f()
		}
		return nil
	}

	s, ok := t.selected()
	switch {
	case key.Matches(msg, t.nav.Up):
		if t.mode == modeDetails {
			t.pcur = max(0, t.pcur-1)
		} else if t.cur > 0 {
			t.cur--
			t.hint = ""
		}
	case key.Matches(msg, t.nav.Down):
		if t.mode == modeDetails {
			if t.pcur < len(s.Procs)-1 {
				t.pcur++
			}
		} else if t.cur < len(t.st)-1 {
			t.cur++
			t.hint = ""
		}
	case key.Matches(msg, t.nav.Enter):
		if ok {
			t.mode, t.pcur, t.tail = modeDetails, 0, nil
			return t.loadTail(s.Name, s.Log)
		}
	case key.Matches(msg, t.nav.Back):
		t.mode = modeList
	case !ok:
		return nil
	case key.Matches(msg, t.k.Log):
		on := t.hostName
		if host.IsLocalName(on) {
			on = "" // OpenLogMsg's word for this machine
		}
		return func() tea.Msg { return common.OpenLogMsg{Name: s.Name, Host: on, Path: s.Log, Kind: "django"} }
	case key.Matches(msg, t.k.Run):
		return t.openArgs(jobs.RunSpec{Job: s.Name})
	case key.Matches(msg, t.k.Force, t.k.Override):
		spec := jobs.RunSpec{Job: s.Name}
		if t.runSpec.Job == s.Name {
			spec = t.runSpec
		}
		if key.Matches(msg, t.k.Force) {
			spec.Force = true
		} else {
			spec.Override = true
		}
		return t.openArgs(spec)
	case key.Matches(msg, t.k.Kill, t.k.KillAll):
		if len(s.Procs) == 0 {
			return common.Toast(s.Name+t.d.T(": no running process", ": 実行中のプロセスはありません"), false)
		}
		pid := 0
		if key.Matches(msg, t.k.Kill) {
			if t.mode == modeDetails && t.pcur < len(s.Procs) {
				pid = s.Procs[t.pcur].PID
			} else if len(s.Procs) == 1 {
				pid = s.Procs[0].PID
			} else {
				t.mode, t.pcur = modeDetails, 0
				return tea.Batch(t.loadTail(s.Name, s.Log), common.Toast(t.d.T("several processes: pick one with j/k, then x", "複数あります: j/k で選んで x"), false))
			}
		}
		cfg := t.d.Cfg
		return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
			return jobs.KillAction(ctx, h, cfg, s.Name, pid, 0)
		})
	case key.Matches(msg, t.k.Pause):
		cfg := t.d.Cfg
		if s.State == crontab.StatePaused {
			return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
				return jobs.ResumeAction(ctx, h, cfg, s.Name)
			})
		}
		pause := func(kill bool) func() tea.Cmd {
			return func() tea.Cmd {
				return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
					return jobs.PauseAction(ctx, h, cfg, s.Name, kill, 0)
				})
			}
		}
		if len(s.Procs) > 0 {
			t.askYN(fmt.Sprintf(t.d.T("Also stop its %d running process(es) in the same step? [y/n]", "実行中の %d プロセスも同時に停止しますか? [y/n]"), len(s.Procs)), pause(true), pause(false))
			return nil
		}
		return pause(false)()
	}
	return nil
}

func (t *Tab) ShortHelp() []key.Binding {
	return []key.Binding{t.nav.Enter, t.k.Run, t.k.Kill, t.k.Pause, t.k.Log}
}

func (t *Tab) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{t.nav.Up, t.nav.Down, t.nav.Enter, t.nav.Back, t.k.Log},
		{t.k.Run, t.k.Force, t.k.Override, t.k.Kill, t.k.KillAll, t.k.Pause},
	}
}

func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// pad fits s into a column of w cells, always leaving one blank cell so
// that a cut value never runs into the next column.
func pad(s string, w int) string {
	s = fit(s, w-1)
	if n := lipgloss.Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func (t *Tab) View() string {
	var b []string
	st := t.d.Styles
	title := st.Title.Render(t.d.T("Jobs", "ジョブ"))
	if badge := common.HostBadge(t.d, t.hostName); badge != "" {
		title += " " + badge
	}
	title += st.Muted.Render("  " + t.d.Cfg.Crontab.Path)
	if !t.loadedAt.IsZero() {
		title += st.Muted.Render("  " + t.d.T("updated ", "更新 ") + t.loadedAt.Format("15:04:05"))
	}
	b = append(b, title)
	if t.err != "" {
		b = append(b, st.Crit.Render(fit(sanitize.String(t.err), t.w)))
	}
	if t.mode == modeDetails {
		b = append(b, t.details()...)
	} else {
		b = append(b, t.table()...)
	}
	switch t.mode {
	case modeArgs:
		what := t.d.T("run ", "実行 ") + t.runSpec.Job
		if t.runSpec.Force {
			what += t.d.T(" (another instance)", "（重複実行）")
		}
		if t.runSpec.Override {
			what += t.d.T(" (GUARD OVERRIDE)", "（ガード無視）")
		}
		b = append(b, st.Warn.Render(fit(what+t.d.T(" — edit the arguments, enter to continue, esc to cancel", " — 引数を編集し enter、esc で中止"), t.w)), t.input.View())
	case modeAsk:
		b = append(b, st.Warn.Render(fit(t.ask.text, t.w)))
	default:
		if t.hint != "" {
			// Up to two lines: the key to press comes first.
			h := ansi.Wrap(sanitize.String(t.hint), max(10, t.w), "")
			for i, l := range strings.Split(h, "\n") {
				if i < 2 {
					b = append(b, st.Warn.Render(fit(l, t.w)))
				}
			}
		}
		b = append(b, t.keyLine())
	}
	out := strings.Join(b, "\n")
	return lipgloss.NewStyle().MaxHeight(t.h).Render(out)
}

// keyLine lists the action keys, greyed in read-only mode.
func (t *Tab) keyLine() string {
	st := t.d.Styles
	var parts []string
	for _, k := range []key.Binding{t.k.Run, t.k.Kill, t.k.KillAll, t.k.Pause} {
		h := k.Help()
		if t.d.ReadOnly {
			parts = append(parts, st.Muted.Render(h.Key+" "+h.Desc))
		} else {
			parts = append(parts, st.Key.Render(h.Key)+" "+h.Desc)
		}
	}
	line := strings.Join(parts, "  ")
	if t.d.ReadOnly {
		line += st.Muted.Render(t.d.T("  (read-only)", "  （読み取り専用）"))
	}
	return fit(line, t.w)
}

func (t *Tab) nextWords(s jobs.Status) string {
	if s.Next.IsZero() {
		if s.State == crontab.StatePaused {
			return t.d.T("paused", "停止中")
		}
		return "-"
	}
	return t.d.T("in ", "") + human.Duration(s.Next.Sub(t.d.Now())) + t.d.T("", "後")
}

// lastFromJa names, in Japanese, where the last run time came from: the
// log's newest timestamp or the log file's mtime.
var lastFromJa = map[string]string{"log": "ログ", "mtime": "更新時刻"}

func (t *Tab) stateLabel(s jobs.Status) (string, lipgloss.Style) {
	st := t.d.Styles
	switch s.State {
	case crontab.StateActive:
		return t.d.T("active", "有効"), st.OK
	case crontab.StatePaused:
		return t.d.T("PAUSED", "停止中"), st.Warn
	case crontab.StateMixed:
		return t.d.T("partly", "一部停止"), st.Warn
	case crontab.StateDisabled:
		return t.d.T("disabled", "無効"), st.Muted
	case crontab.StateUnknown: // the crontab could not be read: not "no cron"
		return t.d.T("unknown", "不明"), st.Warn
	}
	return t.d.T("no cron", "cron なし"), st.Muted
}

func (t *Tab) table() []string {
	st := t.d.Styles
	nameW := 8
	for _, s := range t.st {
		nameW = max(nameW, lipgloss.Width(s.Name))
	}
	nameW = min(nameW+1, 24)
	const stateW, procW, nextW, lastW = 9, 6, 12, 11
	schedW := max(8, t.w-nameW-stateW-procW-nextW-lastW-6)
	hdr := " " + pad(t.d.T("JOB", "ジョブ"), nameW) + pad(t.d.T("STATE", "状態"), stateW) + pad(t.d.T("SCHEDULE", "スケジュール"), schedW) +
		pad(t.d.T("NEXT", "次回"), nextW) + pad(t.d.T("PROCS", "実行"), procW) + pad(t.d.T("LAST RUN", "前回"), lastW)
	lines := []string{st.Header.Render(fit(hdr, t.w))}
	for i, s := range t.st {
		label, ls := t.stateLabel(s)
		sched := strings.Join(s.Schedule, "; ")
		if sched == "" {
			sched = "-"
		}
		last, procs := human.AgoT(t.d.T, s.LastRun, t.d.Now()), fmt.Sprint(len(s.Procs))
		if !s.Known(jobs.PartLog) {
			last = "?"
		}
		if !s.Known(jobs.PartProcesses) { // not read: never "0"
			procs = "?"
		}
		row := pad(s.Name, nameW) + ls.Render(pad(label, stateW)) + pad(sched, schedW) + pad(t.nextWords(s), nextW) +
			pad(procs, procW) + pad(last, lastW)
		if s.Missed != nil {
			row = pad(s.Name, nameW) + ls.Render(pad(label, stateW)) + pad(sched, schedW) + pad(t.nextWords(s), nextW) +
				pad(procs, procW) + st.Crit.Render(pad(t.d.T("MISSED", "実行漏れ"), lastW))
		}
		cursor := " "
		if i == t.cur {
			cursor = st.Key.Render("▶")
		}
		lines = append(lines, cursor+row)
	}
	if len(t.st) == 0 && t.err == "" {
		lines = append(lines, st.Muted.Render(t.d.T("  loading…", "  読み込み中…")))
	}
	s, ok := t.selected()
	if !ok {
		return lines
	}
	lines = append(lines, "")
	if s.Missed != nil {
		msg := fmt.Sprintf(t.d.T("MISSED the run of %s: %s — press r to run it now", "%s の実行が抜けています: %s — r で今すぐ実行"),
			s.Missed.At.Format("01-02 15:04"), s.Missed.Reason)
		lines = append(lines, t.wrapped(msg, st.Crit)...)
	}
	if p := s.Paused; p != nil {
		style := st.Warn
		if p.Skipped > 0 {
			style = st.Crit
		}
		lines = append(lines, t.wrapped(sanitize.String(p.Describe(t.d.T))+t.d.T(" — press p to resume", " — p で再開"), style)...)
	}
	if !s.Next.IsZero() {
		lines = append(lines, st.Muted.Render(fit(t.d.T("next run ", "次回 ")+s.Next.Format("2006-01-02 15:04")+" ("+t.nextWords(s)+")", t.w)))
	}
	if s.Guard != "" {
		lines = append(lines, st.Muted.Render(fit(t.d.T("guarded by ", "ガード: ")+s.Guard+t.d.T(": refused while it is unhealthy", "（異常時は実行を拒否）"), t.w)))
	}
	for _, e := range s.Errors {
		lines = append(lines, st.Warn.Render(fit(sanitize.String(e), t.w)))
	}
	if len(s.Procs) == 0 {
		last := t.d.T("no log yet", "ログなし")
		if !s.LastRun.IsZero() {
			last = human.AgoT(t.d.T, s.LastRun, t.d.Now()) + " (" + t.d.Word(s.LastFrom, lastFromJa) + ")"
		}
		lines = append(lines, st.Muted.Render(fit(t.d.T("no running process; last run ", "実行中のプロセスなし。前回 ")+last, t.w)))
	}
	for _, p := range s.Procs {
		lines = append(lines, fit(t.procLine(p), t.w))
	}
	return lines
}

// wrapped is msg wrapped to the tab's width, each line in style.
func (t *Tab) wrapped(msg string, style lipgloss.Style) []string {
	var out []string
	for _, l := range strings.Split(ansi.Wrap(msg, max(10, t.w), ""), "\n") {
		out = append(out, style.Render(fit(l, t.w)))
	}
	return out
}

// procHead is pid, user, start, elapsed, CPU%, RSS.
func (t *Tab) procHead(p jobs.Proc) string {
	return fmt.Sprintf("  %-7d %-8s %s %8s %5.1f%% %9s", p.PID, fit(p.User, 8), p.Start.Format("01-02 15:04"),
		human.Duration(p.Elapsed), p.CPU, human.Bytes(p.RSS))
}

func (t *Tab) procLine(p jobs.Proc) string {
	return t.procHead(p) + " " + sanitize.String(strings.Join(p.Args, " "))
}

func (t *Tab) details() []string {
	st := t.d.Styles
	s, ok := t.selected()
	if !ok {
		return nil
	}
	label, ls := t.stateLabel(s)
	lines := []string{st.Title.Render(s.Name) + "  " + ls.Render(label) + st.Muted.Render("  "+t.d.T("esc: back", "esc: 戻る"))}
	for _, l := range s.Lines {
		lines = append(lines, st.Muted.Render(fit(fmt.Sprintf("  %s:%d %s", t.d.Cfg.Crontab.Path, l.Num, sanitize.String(strings.TrimRight(l.Text, "\r"))), t.w)))
	}
	lines = append(lines, st.Header.Render(t.d.T("Processes", "プロセス")))
	if len(s.Procs) == 0 {
		lines = append(lines, st.Muted.Render(t.d.T("  none running", "  実行中なし")))
	}
	for i, p := range s.Procs {
		cur := " "
		if i == t.pcur {
			cur = st.Key.Render("▶")
		}
		lines = append(lines, cur+fit(t.procHead(p), t.w-1))
		// The full command line, wrapped to the width.
		full := sanitize.String(host.ShellQuote(p.Args))
		for _, w := range strings.Split(ansi.Hardwrap(full, max(10, t.w-6), true), "\n") {
			lines = append(lines, "     "+w)
		}
	}
	lines = append(lines, st.Header.Render(t.d.T("Log ", "ログ ")+s.Log))
	room := t.h - len(lines) - 3
	tail := t.tail
	if room < 1 {
		room = 1
	}
	if len(tail) > room {
		tail = tail[len(tail)-room:]
	}
	for _, l := range tail {
		lines = append(lines, fit(sanitize.String(l), t.w))
	}
	return lines
}
