// Package jobsview is the Jobs tab: the four stock checks, their cron
// schedule, next and last run, running processes, MISSED runs, and the keys
// to run now, kill, pause and resume.
package jobsview

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/catchup"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
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

// Tab is the Jobs tab model.
type Tab struct {
	d     *common.Deps
	k     common.JobsKeys
	nav   common.NavKeys
	w, h  int
	timer common.Refresher
	// hostName is the host the tab shows and acts on: the current host
	// (Deps.Host), followed on HostChangedMsg.
	hostName string

	st       []jobs.Status
	err      string
	loadedAt time.Time
	loading  bool

	cur  int // selected job
	pcur int // selected process in details
	// the job list and the process list, drawn by the one table
	jobsTbl, procTbl common.Table
	mode             mode
	input            lineinput.Model
	tail             []string
	// run request being edited or offered again with force/override
	runSpec jobs.RunSpec
	// the y/n question
	ask struct {
		text string
		what string // the action esc cancels, for its toast
		yes  func() tea.Cmd
		no   func() tea.Cmd
	}
	hint string // a line under the table: why something was refused, what key would do it
	// hist is each job's recorded runs (ops/history), nil until read;
	// histErr why they could not be (history.ErrNoDatabase: no watch yet).
	hist        map[string]history.JobRuns
	histErr     error
	histLoading bool
	histAt      time.Time // when the last read was asked for
	runTbl      common.Table
}

// Messages.
type (
	snapshotMsg struct {
		host string // the host it was taken on: a late one from the previous host is dropped
		st   []jobs.Status
		err  error
	}
	tickMsg struct{ gen int }
	histMsg struct {
		host string // the host they are of: a late answer from the previous host is dropped
		runs map[string]history.JobRuns
		err  error
	}
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
	// checkedMsg is the answer of jobs.Precheck for a run-now request:
	// nil opens the argument editor, a refusal comes first.
	checkedMsg struct {
		spec jobs.RunSpec
		err  error
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
	return &Tab{d: d, k: d.Keys().Jobs, nav: d.Keys().Nav, input: in, w: 80, h: 20, hostName: name}
}

func (t *Tab) Title() string   { return t.d.T("Jobs", "ジョブ") }
func (t *Tab) Capturing() bool { return t.mode == modeArgs || t.mode == modeAsk }
func (t *Tab) SetSize(w, h int) {
	t.w, t.h = w, h
	t.input.Width = w - 10
}

func (t *Tab) Init() tea.Cmd { return t.refresh() }

// onHost runs f on the tab's host inside a tea.Cmd (see common.OnHost).
func onHost[T any](t *Tab, f func(ctx context.Context, h host.Host) (T, error)) func(context.Context) (T, error) {
	return common.OnHost(t.d.Hosts, t.hostName, f)
}

func (t *Tab) refresh() tea.Cmd {
	if t.loading {
		return nil
	}
	t.loading = true
	cfg, now := t.d.Cfg, t.d.Now()
	name := t.hostName
	return common.Build(opTimeout, onHost(t, func(ctx context.Context, h host.Host) ([]jobs.Status, error) {
		st, err := jobs.Snapshot(ctx, h, cfg, now)
		jobs.GuardNow(ctx, st) // the guard line says whether it is healthy now
		return st, err
	}), func(st []jobs.Status, err error) tea.Msg { return snapshotMsg{host: name, st: st, err: err} })
}

// histTimeout bounds a read of the history database: a locked or slow
// database must not hold the tab. Another host's is asked over ssh, which
// has its own bound (jobs.RemoteTimeout) and says why it gave up.
const (
	histTimeout       = 5 * time.Second
	remoteHistTimeout = 15 * time.Second // over jobs.RemoteTimeout
)

// remoteHistEvery spaces the questions to another host's richsops: each is
// an ssh command and a process there, not a read of a local file.
const remoteHistEvery = 30 * time.Second

// loadHistory reads the jobs' recorded runs through ops (read-only): this
// machine's database, or what another host's richsops answers.
func (t *Tab) loadHistory() tea.Cmd {
	if t.histLoading {
		return nil
	}
	timeout := histTimeout
	if !host.IsLocalName(t.hostName) {
		if !t.histAt.IsZero() && t.d.Now().Sub(t.histAt) < remoteHistEvery {
			return nil
		}
		timeout = remoteHistTimeout
	}
	t.histLoading = true
	t.histAt = t.d.Now()
	cfg, name := t.d.Cfg, t.hostName
	return common.Build(timeout, onHost(t, func(ctx context.Context, h host.Host) (map[string]history.JobRuns, error) {
		return jobs.HistoryOn(ctx, h, cfg)
	}), func(r map[string]history.JobRuns, err error) tea.Msg { return histMsg{host: name, runs: r, err: err} })
}

func (t *Tab) tick() tea.Cmd {
	return t.timer.Tick(refreshEvery, func(gen int) tea.Msg { return tickMsg{gen: gen} })
}

func (t *Tab) selected() (jobs.Status, bool) {
	if t.cur < 0 || t.cur >= len(t.st) {
		return jobs.Status{}, false
	}
	return t.st[t.cur], true
}

// build proposes an action built on the tab's host (common.Build); built
// handles the reply.
func (t *Tab) build(spec *jobs.RunSpec, f func(ctx context.Context, h host.Host) (gate.Action, error)) tea.Cmd {
	return common.Build(opTimeout, onHost(t, f), func(a gate.Action, err error) tea.Msg {
		return builtMsg{a: a, err: err, spec: spec}
	})
}

func (t *Tab) loadTail(job, path string) tea.Cmd {
	return common.Build(opTimeout, onHost(t, func(ctx context.Context, h host.Host) ([]byte, error) {
		return jobs.Tail(ctx, h, path)
	}), func(data []byte, err error) tea.Msg {
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 200 {
			lines = lines[len(lines)-200:]
		}
		return tailMsg{job: job, lines: lines, err: err}
	})
}

func (t *Tab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		t.timer.SetActive(msg.Active)
		if msg.Active {
			return t, tea.Batch(t.refresh(), t.tick())
		}
		return t, nil
	case tickMsg:
		if !t.timer.Due(msg.gen) {
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
		t.hist, t.histErr, t.histLoading, t.histAt = nil, nil, false, time.Time{}
		if t.mode == modeDetails {
			t.mode = modeList
		}
		return t, t.refresh()
	case histMsg:
		if msg.host != t.hostName && !(host.IsLocalName(msg.host) && host.IsLocalName(t.hostName)) {
			return t, nil
		}
		t.histLoading = false
		t.hist, t.histErr = msg.runs, msg.err
		return t, nil
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
		// The recorded runs follow each snapshot: the same refresh, and
		// after an action.
		return t, t.loadHistory()
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
	case checkedMsg:
		if msg.err != nil {
			return t, t.built(builtMsg{err: msg.err, spec: &msg.spec})
		}
		t.hint = ""
		return t, t.openArgs(msg.spec)
	case common.ActionDoneMsg:
		t.histAt = time.Time{} // the action's run or kill shows at once
		cmds := []tea.Cmd{t.refresh()}
		if msg.Result.Action == "jobs.resume" && msg.Result.Err == nil && !t.d.ReadOnly && t.timer.Active() {
			job := msg.Result.Target
			t.askYN(fmt.Sprintf(t.d.T("%s resumed. Run it now too? ", "%s を再開しました。今すぐ実行しますか? "), job)+t.d.AskKeys(), t.d.T("run ", "実行 ")+job,
				func() tea.Cmd { return t.precheck(jobs.RunSpec{Job: job}) }, nil)
		}
		if r := msg.Result; r.Action == "jobs.kill" {
			// What happened to each pid, as the CLI says it: the toast
			// has only the summary.
			t.hint = strings.Join(append([]string{r.Target}, r.Outcome.Details...), "; ")
			if r.Err != nil && len(r.Outcome.Details) == 0 {
				t.hint = r.Err.Error()
			}
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
	switch {
	case msg.spec != nil && jobs.Overridable(msg.err):
		t.runSpec = *msg.spec
		t.hint = fmt.Sprintf(t.d.T("press %s to override (typed confirmation): ", "%s で強制実行（確認入力あり）: "), t.k.Override.Help().Key) + msg.err.Error()
	case msg.spec != nil && errors.Is(msg.err, jobs.ErrRunning):
		t.runSpec = *msg.spec
		t.hint = fmt.Sprintf(t.d.T("press %s to start another instance: ", "%s で重複して実行: "), t.k.Force.Help().Key) + msg.err.Error()
	default:
		t.hint = msg.err.Error()
	}
	return common.Toast(msg.err.Error(), true)
}

// askYN asks text; esc cancels what (the whole action) and runs neither.
func (t *Tab) askYN(text, what string, yes, no func() tea.Cmd) {
	t.mode = modeAsk
	t.ask.text, t.ask.what, t.ask.yes, t.ask.no = text, what, yes, no
}

// precheck asks jobs.Precheck on the tab's host whether spec would be
// refused (already running, guard) before the arguments are asked for.
func (t *Tab) precheck(spec jobs.RunSpec) tea.Cmd {
	cfg := t.d.Cfg
	return common.Build(opTimeout, onHost(t, func(ctx context.Context, h host.Host) (struct{}, error) {
		return struct{}{}, jobs.Precheck(ctx, h, cfg, spec, jobs.DefaultGuard)
	}), func(_ struct{}, err error) tea.Msg { return checkedMsg{spec: spec, err: err} })
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
		switch common.Answer(msg) {
		case common.Yes:
			f = t.ask.yes
		case common.No:
			f = t.ask.no
		case common.Cancel:
			t.mode = modeList
			return t.d.Cancelled(t.ask.what)
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
	case key.Matches(msg, t.d.Keys().Global.Refresh):
		cmds := []tea.Cmd{t.refresh()}
		if ok && t.mode == modeDetails {
			cmds = append(cmds, t.loadTail(s.Name, s.Log))
		}
		return tea.Batch(cmds...)
	case !ok:
		return nil
	case key.Matches(msg, t.k.Log):
		on := t.hostName
		if host.IsLocalName(on) {
			on = "" // OpenLogMsg's word for this machine
		}
		return func() tea.Msg { return common.OpenLogMsg{Name: s.Name, Host: on, Path: s.Log, Kind: "django"} }
	case t.d.ReadOnly && key.Matches(msg, t.k.Run, t.k.Force):
		// Refused before the argument editor opens: typing arguments
		// that cannot be used would only waste the operator's time.
		return t.d.Refused("jobs.run", s.Name, t.hostName)
	case t.d.ReadOnly && key.Matches(msg, t.k.Override):
		return t.d.Refused("jobs.run.override", s.Name, t.hostName)
	case key.Matches(msg, t.k.Run):
		if s.Missed != nil {
			// Run now of a missed run is its catch-up: recorded so.
			return t.precheck(catchup.Spec(s.Name))
		}
		return t.precheck(jobs.RunSpec{Job: s.Name})
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
		return t.precheck(spec)
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
				return tea.Batch(t.loadTail(s.Name, s.Log), common.Toast(fmt.Sprintf(t.d.T("several processes: pick one with j/k, then %s", "複数あります: j/k で選んで %s"), t.k.Kill.Help().Key), false))
			}
		}
		cfg := t.d.Cfg
		return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
			return jobs.KillAction(ctx, h, cfg, s.Name, pid, 0)
		})
	case key.Matches(msg, t.k.Pause):
		cfg := t.d.Cfg
		if s.State == crontab.StatePaused {
			paused := s.Paused
			return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
				a, err := jobs.ResumeAction(ctx, h, cfg, s.Name)
				if paused != nil && paused.By != "" && err == nil {
					// Who paused it and why (braked: how many withdrawals) before
					// the operator undoes it.
					a.Preview = append([]string{sanitize.String(paused.Describe(cfg.T))}, a.Preview...)
				}
				return a, err
			})
		}
		pause := func(kill bool) func() tea.Cmd {
			return func() tea.Cmd {
				return t.build(nil, func(ctx context.Context, h host.Host) (gate.Action, error) {
					return jobs.PauseAction(ctx, h, cfg, s.Name, kill, 0)
				})
			}
		}
		if len(s.Procs) > 0 && !t.d.ReadOnly { // read-only: refused without the question
			t.askYN(fmt.Sprintf(t.d.T("Also stop its %d running process(es) in the same step? ", "実行中の %d プロセスも同時に停止しますか? "), len(s.Procs))+t.d.AskKeys(),
				t.d.T("pause ", "停止 ")+s.Name, pause(true), pause(false))
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
	return t.d.Keys().HelpColumns(common.TabJobs, common.HelpRows)
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
		b = append(b, st.Crit.Render(common.Cut(sanitize.String(t.err), t.w)))
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
		b = append(b, st.Warn.Render(common.Cut(what+t.d.T(" — edit the arguments, enter to continue, esc to cancel", " — 引数を編集し enter、esc で中止"), t.w)), t.input.View())
	case modeAsk:
		b = append(b, st.Warn.Render(common.Cut(t.ask.text, t.w)))
	default:
		if t.hint != "" {
			// Wrapped whole: a refusal cut short hides what to do.
			b = append(b, t.wrapped(sanitize.String(t.hint), st.Warn)...)
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
	return common.Cut(line, t.w)
}

func (t *Tab) nextWords(s jobs.Status) string {
	if s.Next.IsZero() {
		if s.State == crontab.StatePaused {
			return t.d.T("paused", "停止中")
		}
		return "-"
	}
	return t.d.T("in ", "") + human.DurationT(t.d.T, s.Next.Sub(t.d.Now())) + t.d.T("", "後")
}

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
	schedTitle := t.d.T("SCHEDULE", "スケジュール")
	nameW, schedW := 7, common.Width(schedTitle)
	for _, s := range t.st {
		nameW = max(nameW, common.Width(s.Name))
		schedW = max(schedW, common.Width(strings.Join(s.Schedule, "; ")))
	}
	t.jobsTbl.Columns = []common.Column{
		{Title: t.d.T("JOB", "ジョブ"), Width: min(nameW, 23)},
		{Title: t.d.T("STATE", "状態"), Width: 8},
		// As wide as the longest schedule (within reason), not all the
		// room: the room goes to the last column.
		{Title: schedTitle, Width: min(schedW, 30)},
		{Title: t.d.T("NEXT", "次回"), Width: 11},
		{Title: t.d.T("PROCS", "実行"), Width: 5},
		{Title: t.d.T("LAST RUN", "前回"), Width: 18, Flex: true},
	}
	rows := make([][]string, 0, len(t.st))
	for _, s := range t.st {
		label, ls := t.stateLabel(s)
		sched := strings.Join(s.Schedule, "; ")
		if sched == "" {
			sched = "-"
		}
		last, procs := human.AgoT(t.d.T, s.LastRun, t.d.Now()), fmt.Sprint(len(s.Procs))
		if !s.Known(jobs.PartLog) {
			last = "?"
		}
		if r, ok := t.hist[s.Name].Last(); ok {
			last = t.runCell(r)
		}
		if !s.Known(jobs.PartProcesses) { // not read: never "0"
			procs = "?"
		}
		if s.Missed != nil {
			last = st.Crit.Render(t.d.T("MISSED", "実行漏れ"))
		}
		rows = append(rows, []string{s.Name, ls.Render(label), sched, t.nextWords(s), procs, last})
	}
	// The list keeps most of the height; the selected job's lines go below.
	lines := t.jobsTbl.Lines(st, rows, t.cur, t.w, min(len(rows)+1, max(4, t.h-10)))
	if len(t.st) == 0 && t.err == "" {
		lines = append(lines, st.Muted.Render(t.d.T("  loading…", "  読み込み中…")))
	}
	s, ok := t.selected()
	if !ok {
		return lines
	}
	lines = append(lines, "")
	if s.Missed != nil {
		msg := fmt.Sprintf(t.d.T("MISSED the run of %s: %s — press %s to run it now", "%s の実行が抜けています: %s — %s で今すぐ実行"),
			s.Missed.At.Format("01-02 15:04"), s.Missed.Reason, t.k.Run.Help().Key)
		lines = append(lines, t.wrapped(msg, st.Crit)...)
	}
	if p := s.Paused; p != nil {
		style := st.Warn
		if p.Skipped > 0 {
			style = st.Crit
		}
		lines = append(lines, t.wrapped(sanitize.String(p.Describe(t.d.T))+fmt.Sprintf(t.d.T(" — press %s to resume", " — %s で再開"), t.k.Pause.Help().Key), style)...)
	}
	if !s.Next.IsZero() {
		lines = append(lines, st.Muted.Render(common.Cut(t.d.T("next run ", "次回 ")+s.Next.Format("2006-01-02 15:04")+" ("+t.nextWords(s)+")", t.w)))
	}
	if s.Guard != "" {
		lines = append(lines, t.guardLine(s)...)
	}
	for _, e := range s.Errors {
		lines = append(lines, st.Warn.Render(common.Cut(sanitize.String(e), t.w)))
	}
	if r, ok := t.hist[s.Name].Last(); ok {
		lines = append(lines, st.Muted.Render(common.Cut(t.d.T("last recorded run ", "記録された前回の実行 ")+r.Start.Format("2006-01-02 15:04")+" "+t.result(r)+" — "+t.d.T("enter: the last runs", "enter: 最近の実行"), t.w)))
	} else if len(s.Procs) == 0 {
		last := t.d.T("no log yet", "ログなし")
		if !s.LastRun.IsZero() {
			// Said as a guess: the log's time is not a recorded run.
			last = human.AgoT(t.d.T, s.LastRun, t.d.Now()) + t.d.T(" (", "（") + t.d.Word(s.LastFrom, jobs.LastFromJa) + t.d.T(")", "）") +
				t.d.T(" — guessed: no recorded run", " — 推定: 記録された実行なし")
		}
		lines = append(lines, st.Muted.Render(common.Cut(t.d.T("no running process; last run ", "実行中のプロセスなし。前回 ")+last, t.w)))
	}
	if t.histErr != nil {
		lines = append(lines, t.histLine())
	}
	if len(s.Procs) > 0 {
		lines = append(lines, t.procTable(s.Procs, -1, len(s.Procs)+1)...)
	}
	return lines
}

// guardLine says what guards s and whether it is healthy now: a run now
// is refused while it is not.
func (t *Tab) guardLine(s jobs.Status) []string {
	st := t.d.Styles
	g := sanitize.String(s.Guard)
	switch {
	case s.GuardOK == nil:
		return t.wrapped(fmt.Sprintf(t.d.T("guarded by %s: its health is unknown (no check); run now is refused without an override",
			"ガード: %s: 状態不明（チェックなし）。強制実行しない限り実行を拒否"), g), st.Warn)
	case *s.GuardOK:
		return t.wrapped(fmt.Sprintf(t.d.T("guarded by %s: healthy now (run now is refused while it is unhealthy)",
			"ガード: %s: 現在正常（異常時は実行を拒否）"), g), st.Muted)
	}
	return t.wrapped(fmt.Sprintf(t.d.T("guarded by %s: UNHEALTHY now (%s); run now is refused without an override",
		"ガード: %s: 現在異常（%s）。強制実行しない限り実行を拒否"), g, sanitize.String(s.GuardReason)), st.Crit)
}

// wrapped is msg wrapped to the tab's width, each line in style.
func (t *Tab) wrapped(msg string, style lipgloss.Style) []string {
	var out []string
	for _, l := range strings.Split(ansi.Wrap(msg, max(10, t.w), ""), "\n") {
		out = append(out, style.Render(common.Cut(l, t.w)))
	}
	return out
}

// procTable is the processes of a job: pid, user, start, elapsed, CPU%,
// RSS and the command line, with cursor selected (-1: none).
func (t *Tab) procTable(procs []jobs.Proc, cursor, height int) []string {
	t.procTbl.Columns = []common.Column{
		{Title: "PID", Width: 7},
		{Title: t.d.T("USER", "ユーザー"), Width: 8},
		{Title: t.d.T("STARTED", "開始"), Width: 11},
		{Title: t.d.T("ELAPSED", "経過"), Width: 8},
		{Title: "CPU%", Width: 5, Right: true},
		{Title: "RSS", Width: 9, Right: true},
		{Title: t.d.T("COMMAND", "コマンド"), Width: 7, Flex: true},
	}
	rows := make([][]string, 0, len(procs))
	for _, p := range procs {
		rows = append(rows, []string{strconv.Itoa(p.PID), sanitize.String(p.User), p.Start.Format("01-02 15:04"),
			human.DurationT(t.d.T, p.Elapsed), strconv.FormatFloat(p.CPU, 'f', 1, 64), human.Bytes(p.RSS), sanitize.String(commandWords(p.Args))})
	}
	return t.procTbl.Lines(t.d.Styles, rows, cursor, t.w, height)
}

// commandWords is a job's command line as the operator knows it: from
// manage.py on (manage.py check_item_mercari 2 4 …), without the
// interpreter's path in front, which is the same for every job. The
// details show the whole argv.
func commandWords(args []string) string {
	for i, a := range args {
		if strings.HasSuffix(a, "manage.py") {
			return strings.Join(append([]string{path.Base(a)}, args[i+1:]...), " ")
		}
	}
	return strings.Join(args, " ")
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
		lines = append(lines, st.Muted.Render(common.Cut(fmt.Sprintf("  %s:%d %s", t.d.Cfg.Crontab.Path, l.Num, sanitize.String(strings.TrimRight(l.Text, "\r"))), t.w)))
	}
	lines = append(lines, st.Title.Render(t.d.T("Processes", "プロセス")))
	if len(s.Procs) == 0 {
		lines = append(lines, st.Muted.Render(t.d.T("  none running", "  実行中なし")))
	} else {
		lines = append(lines, t.procTable(s.Procs, t.pcur, min(len(s.Procs)+1, max(3, t.h/3)))...)
		// The selected process's full command line, wrapped to the width.
		full := sanitize.String(host.ShellQuote(s.Procs[min(t.pcur, len(s.Procs)-1)].Args))
		for _, w := range strings.Split(ansi.Hardwrap(full, max(10, t.w-2), true), "\n") {
			lines = append(lines, "  "+w)
		}
	}
	lines = append(lines, t.runsLines(s.Name)...)
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
		lines = append(lines, common.Cut(sanitize.String(l), t.w))
	}
	return lines
}
