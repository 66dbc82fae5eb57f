// Package ui is the Bubble Tea console: the root model with its tab bar,
// status line, key help, confirm dialog and toasts. Each tab lives in its own
// package under ui/ and talks to the box only through ops, inside tea.Cmds.
package ui

import (
	"context"
	"github.com/richs/richsops/ops/host"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ui/common"
)

// MinWidth and MinHeight are the smallest terminal the console draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// App is the root model.
type App struct {
	deps     *common.Deps
	tabs     []common.Tab
	active   int
	keys     common.GlobalKeys
	help     help.Model
	width    int
	height   int
	confirm  *confirmDialog
	picker   *hostPicker
	pickGen  int      // openings of the host picker: late probes of an old one are dropped
	running  []string // actions in flight
	toast    common.ToastMsg
	toastAt  time.Time
	lastOut  string // last action outcome, kept in the status line
	mouseOn  bool
	quitting bool
}

type clockMsg time.Time
type toastExpiredMsg struct{ at time.Time }

// New builds the app around its tabs (in tab bar order).
func New(deps *common.Deps, tabs []common.Tab) *App {
	h := help.New()
	h.ShortSeparator = "  "
	deps.Host = host.NameOf(deps.Host)
	return &App{deps: deps, tabs: tabs, keys: deps.Keys().Global, help: h, mouseOn: true}
}

// Init starts every tab and the status clock.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.clock(), tea.RequestBackgroundColor}
	for _, t := range a.tabs {
		cmds = append(cmds, t.Init())
	}
	if len(a.tabs) > 0 {
		cmds = append(cmds, a.sendTo(a.active, common.ActiveMsg{Active: true}))
	}
	return tea.Batch(cmds...)
}

// clock ticks on the minute: the status line shows HH:MM, so a faster tick
// would only burn CPU.
func (a *App) clock() tea.Cmd {
	now := a.deps.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	return tea.Tick(next.Sub(now), func(t time.Time) tea.Msg { return clockMsg(t) })
}

func (a *App) sendTo(i int, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.tabs[i], cmd = a.tabs[i].Update(msg)
	return cmd
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, len(a.tabs))
	for i := range a.tabs {
		cmds[i] = a.sendTo(i, msg)
	}
	return tea.Batch(cmds...)
}

func (a *App) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(a.tabs) || i == a.active {
		return nil
	}
	old := a.active
	a.active = i
	// The kept outcome belongs to the tab it was done on: it does not
	// follow the operator to another tab, nor come back later.
	a.lastOut = ""
	return tea.Batch(a.sendTo(old, common.ActiveMsg{Active: false}), a.sendTo(i, common.ActiveMsg{Active: true}))
}

// Update routes messages: keys to the dialog or the active tab (after the
// global keys), everything else to every tab.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		for _, t := range a.tabs {
			t.SetSize(msg.Width, a.bodyHeight())
		}
		if a.confirm != nil {
			a.confirm.setSize(msg.Width, a.bodyHeight())
		}
		return a, nil
	case tea.BackgroundColorMsg:
		// The styles are shared by the tabs, which draw with them; the
		// message goes on to them too (the logs tab keeps its styles taken
		// apart).
		dark := msg.IsDark()
		*a.deps.Styles = *common.StylesFor(dark)
		a.help.Styles = help.DefaultStyles(dark)
		return a, a.broadcast(msg)
	case clockMsg:
		return a, a.clock()
	case toastExpiredMsg:
		if msg.at.Equal(a.toastAt) {
			a.toast = common.ToastMsg{}
		}
		return a, nil
	case common.ToastMsg:
		return a, a.showToast(msg)
	case common.SwitchTabMsg:
		return a, a.switchTo(msg.Index)
	case common.OpenLogMsg:
		return a, tea.Batch(a.switchTo(common.TabLogs), a.sendTo(common.TabLogs, msg))
	case probeMsg:
		if a.picker != nil {
			a.picker.setProbe(msg)
		}
		return a, nil
	case common.ConfirmMsg:
		if a.deps.ReadOnly {
			// Refused through the gate so the attempt is audited.
			return a, a.run(msg.Action)
		}
		a.confirm = newConfirm(a.deps, msg.Action, a.width, a.bodyHeight())
		return a, nil
	case common.ActionDoneMsg:
		a.running = removeOne(a.running, msg.Result.Action)
		text, isErr := outcomeLine(a.deps, msg.Result)
		toast := a.showToast(common.ToastMsg{Text: text, Error: isErr})
		a.lastOut = sanitize.String(text)
		return a, tea.Batch(toast, a.broadcast(msg))
	case tea.MouseMsg:
		if a.confirm != nil { // the wheel scrolls the dialog, not the tab under it
			if w, ok := msg.(tea.MouseWheelMsg); ok {
				a.confirm.wheel(w)
			}
			return a, nil
		}
		if len(a.tabs) > 0 {
			return a, a.sendTo(a.active, msg)
		}
		return a, nil
	case tea.KeyPressMsg:
		return a, a.keys1by1(msg)
	case tea.PasteMsg:
		// v2 sends a bracketed paste as a message of its own; only a text
		// input takes it (v1's paste key matched no binding elsewhere), as
		// one key with all the text, like a burst of typing.
		if a.takesText() {
			return a, a.key(tea.KeyPressMsg{Code: tea.KeyExtended, Text: msg.Content})
		}
		return a, nil
	}
	return a, a.broadcast(msg)
}

// keys1by1 splits a burst of typed characters into one key each. Bubble
// Tea hands characters that arrive in one read (fast typing, a laggy ssh
// link, tmux send-keys) to us as a single key "1?", which would match no
// binding and be lost. Text inputs (a tab that captures, the typed
// confirmation) take the burst whole.
func (a *App) keys1by1(msg tea.KeyPressMsg) tea.Cmd {
	runes := []rune(msg.Text)
	if len(runes) < 2 || a.takesText() {
		return a.key(msg)
	}
	cmds := make([]tea.Cmd, 0, len(runes))
	for _, r := range runes {
		cmds = append(cmds, a.key(tea.KeyPressMsg{Code: r, Text: string(r), Mod: msg.Mod}))
		if a.quitting {
			break
		}
	}
	return tea.Sequence(cmds...)
}

// takesText is true while free text is being typed.
func (a *App) takesText() bool {
	if a.confirm != nil {
		return a.confirm.action.Danger != ""
	}
	return len(a.tabs) > 0 && a.tabs[a.active].Capturing()
}

func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	if a.confirm != nil {
		done, yes, cmd := a.confirm.update(msg)
		if !done {
			return cmd
		}
		act := a.confirm.action
		a.confirm = nil
		if !yes {
			return a.showToast(common.ToastMsg{Text: a.deps.CancelledText(act.Name + " " + act.Target)})
		}
		return a.run(act)
	}
	if a.picker != nil && msg.String() != "ctrl+c" {
		done, name := a.picker.update(msg)
		if !done {
			return nil
		}
		a.picker = nil
		if name == "" {
			return nil
		}
		return a.setHost(name)
	}
	if msg.String() == "ctrl+c" {
		a.quitting = true
		return tea.Quit
	}
	capturing := len(a.tabs) > 0 && a.tabs[a.active].Capturing()
	if !capturing {
		switch {
		case key.Matches(msg, a.keys.Quit):
			a.quitting = true
			return tea.Quit
		case key.Matches(msg, a.keys.Help):
			a.help.ShowAll = !a.help.ShowAll
			for _, t := range a.tabs {
				t.SetSize(a.width, a.bodyHeight())
			}
			return nil
		case key.Matches(msg, a.keys.NextTab):
			return a.switchTo((a.active + 1) % len(a.tabs))
		case key.Matches(msg, a.keys.PrevTab):
			return a.switchTo((a.active + len(a.tabs) - 1) % len(a.tabs))
		case key.Matches(msg, a.keys.Host):
			a.pickGen++
			var probes tea.Cmd
			a.picker, probes = newHostPicker(a.deps, a.pickGen)
			return probes
		case key.Matches(msg, a.keys.Mouse):
			a.mouseOn = !a.mouseOn
			if a.mouseOn {
				return a.showToast(common.ToastMsg{Text: a.deps.T("mouse on", "マウス有効")})
			}
			return a.showToast(common.ToastMsg{Text: a.deps.T("mouse off: the terminal can select text", "マウス無効: 端末で文字を選択できます")})
		}
		for i, b := range []key.Binding{a.keys.Tab1, a.keys.Tab2, a.keys.Tab3, a.keys.Tab4, a.keys.Tab5} {
			if key.Matches(msg, b) && i < len(a.tabs) {
				return a.switchTo(i)
			}
		}
	}
	if len(a.tabs) == 0 {
		return nil
	}
	return a.sendTo(a.active, msg)
}

// setHost makes name the current host and tells every tab.
func (a *App) setHost(name string) tea.Cmd {
	a.deps.Host = name
	return tea.Batch(
		a.showToast(common.ToastMsg{Text: a.deps.T("current host: ", "対象ホスト: ") + hostLabel(a.deps)}),
		a.broadcast(common.HostChangedMsg{Name: name}))
}

// run sends an action through the gate in a tea.Cmd: the UI never blocks.
func (a *App) run(act gate.Action) tea.Cmd {
	a.running = append(a.running, act.Name)
	g := a.deps.Gate
	started := func() tea.Msg { return common.ActionStartedMsg{Action: act} }
	return tea.Batch(a.broadcast(started()), func() tea.Msg {
		return common.ActionDoneMsg{Result: g.Do(context.Background(), act)}
	})
}

func (a *App) showToast(t common.ToastMsg) tea.Cmd {
	t.Text = sanitize.String(t.Text) // error text and names come from the box
	a.toast = t
	// A newer message replaces the kept outcome: an older one must not come
	// back when this toast goes (ActionDoneMsg keeps its own again).
	a.lastOut = ""
	at := a.deps.Now()
	a.toastAt = at
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return toastExpiredMsg{at: at} })
}

func outcomeLine(d *common.Deps, r gate.Result) (string, bool) {
	name := strings.TrimSpace(r.Action + " " + r.Target)
	if r.Err != nil {
		if r.Err == gate.ErrReadOnly {
			return d.T("refused (read-only): ", "拒否 (読み取り専用): ") + name, true
		}
		return d.T("failed: ", "失敗: ") + name + ": " + r.Err.Error(), true
	}
	if r.Outcome.Summary != "" {
		return r.Outcome.Summary, false
	}
	return d.T("done: ", "完了: ") + name, false
}

func removeOne(list []string, s string) []string {
	for i, v := range list {
		if v == s {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// bodyHeight is what is left for the tab: tab bar, status line and help
// take the rest.
func (a *App) bodyHeight() int { return a.bodyHeightWith(a.helpView()) }

// bodyHeightWith is bodyHeight when the help is drawn already.
func (a *App) bodyHeightWith(help string) int {
	return max(a.height-2-lipgloss.Height(help), 1)
}

func (a *App) helpView() string {
	km := keyMap{global: a.keys, reg: a.deps.Keys()}
	if a.deps.ReadOnly {
		km.grey = &a.deps.Styles.Muted
	}
	if len(a.tabs) > 0 {
		km.tab = a.tabs[a.active]
	}
	if a.help.ShowAll {
		return a.help.View(km)
	}
	// The global keys (1-5 tabs, ? help, q quit) are always drawn whole,
	// last; the tab's keys get the cells left and are cut.
	global := a.help.ShortHelpView(km.globalShort())
	sep := a.help.Styles.ShortSeparator.Render(a.help.ShortSeparator)
	room := a.width - common.Width(global) - common.Width(sep)
	if room <= 0 {
		return common.Cut(global, a.width)
	}
	tabHelp := a.help
	tabHelp.SetWidth(room)
	// bubbles' short help still adds an item that does not fit when its
	// ellipsis would not fit either (wide Japanese labels), and the line
	// would then widen the whole screen: hence the cut.
	own := common.Cut(tabHelp.ShortHelpView(km.tabShort()), room)
	if own == "" {
		return global
	}
	return own + sep + global
}

// View is the console in the alternate screen, with the mouse while it is
// on (v2 takes both from the view, not from program options and commands).
func (a *App) View() tea.View {
	v := tea.NewView(a.content())
	v.AltScreen = true
	if a.mouseOn {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// content draws tab bar, the active tab (or the dialog over it), status, help.
func (a *App) content() string {
	if a.quitting {
		return ""
	}
	if a.width == 0 {
		return ""
	}
	if a.width < MinWidth || a.height < MinHeight {
		return a.deps.T(
			"richsops needs a terminal of at least 80x24 (now "+itoa(a.width)+"x"+itoa(a.height)+").\nMake the window bigger, or press q to quit.",
			"richsops には 80x24 以上の端末が必要です (現在 "+itoa(a.width)+"x"+itoa(a.height)+")。\nウィンドウを広げるか、q で終了してください。")
	}
	help := a.helpView()
	bh := a.bodyHeightWith(help)
	body := ""
	switch {
	case a.confirm != nil: // over the tab, which is not drawn
		body = lipgloss.Place(a.width, bh, lipgloss.Center, lipgloss.Center, a.confirm.view())
	case a.picker != nil:
		body = lipgloss.Place(a.width, bh, lipgloss.Center, lipgloss.Center, a.picker.view(a.width, bh))
	case len(a.tabs) > 0:
		body = a.tabs[a.active].View()
	}
	// The net under the tabs' own sanitizing: only lipgloss' styling passes.
	return sanitize.Styled(stack(a.width, bh, a.tabBar(), body, a.statusLine(), help))
}

// stack is lipgloss.JoinVertical(lipgloss.Left, top, body, lines...) with
// body padded, wrapped and cut to w×h cells. A body that already is h lines
// of w cells (the Logs tab's panes are) is measured once, line by line, and
// not fitted; the lines around it are measured and padded. lipgloss would
// wrap, align and truncate the whole screen and then measure it again to
// join (0.5 ms a frame of four full panes on 160×48).
func stack(w, h int, top, body string, lines ...string) string {
	if isExactly(body, w, h) {
		if s, ok := stackExact(w, top, body, lines); ok {
			return s
		}
	} else {
		body = lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).MaxWidth(w).Render(body)
	}
	return lipgloss.JoinVertical(lipgloss.Left, append([]string{top, body}, lines...)...)
}

// stackExact joins when nothing around body is wider than it, padding
// narrower lines with spaces to w as JoinVertical does.
func stackExact(w int, top, body string, lines []string) (string, bool) {
	var b strings.Builder
	add := func(block string) bool {
		for line := range strings.SplitSeq(block, "\n") {
			lw := ansi.StringWidth(line)
			if lw > w {
				return false
			}
			b.WriteString(line)
			b.WriteString(strings.Repeat(" ", w-lw))
			b.WriteByte('\n')
		}
		return true
	}
	if !add(top) {
		return "", false
	}
	b.WriteString(body)
	b.WriteByte('\n')
	for _, l := range lines {
		if !add(l) {
			return "", false
		}
	}
	return strings.TrimSuffix(b.String(), "\n"), true
}

// isExactly reports whether body is h lines of w cells each.
func isExactly(body string, w, h int) bool {
	n := 0
	for line := range strings.SplitSeq(body, "\n") {
		if n++; n > h || ansi.StringWidth(line) != w {
			return false
		}
	}
	return n == h
}

func (a *App) tabBar() string {
	s := a.deps.Styles
	parts := make([]string, 0, len(a.tabs)+1)
	for i, t := range a.tabs {
		label := itoa(i+1) + " " + t.Title()
		if i == a.active {
			// Brackets as well as the style: with NO_COLOR (or no colour
			// at all) the active tab must still stand out.
			parts = append(parts, "["+s.TabActive.Render(label)+"]")
		} else {
			parts = append(parts, " "+s.TabInactive.Render(label)+" ")
		}
	}
	bar := lipgloss.JoinHorizontal(lipgloss.Top, parts...)
	title := s.Title.Render("richsops")
	gap := a.width - lipgloss.Width(bar) - lipgloss.Width(title) - 1
	if gap < 1 {
		return lipgloss.NewStyle().MaxWidth(a.width).Render(bar)
	}
	return bar + strings.Repeat(" ", gap) + title + " "
}

func (a *App) statusLine() string {
	s := a.deps.Styles
	left := " " + hostLabel(a.deps)
	if a.deps.ReadOnly {
		left = s.Badge.Render(a.deps.T("READ-ONLY", "読み取り専用")) + left
	}
	if len(a.running) > 0 {
		left += "  " + s.Warn.Render("⟳ "+strings.Join(a.running, ", "))
	}
	msg := a.lastOut
	style := s.Muted
	if a.toast.Text != "" {
		msg = a.toast.Text
		style = s.Info
		if a.toast.Error {
			style = s.Crit
		}
	}
	// Two cells after the host, at least one before the clock: a cut
	// message's ellipsis never touches the time.
	right := " " + a.deps.Now().Format("15:04") + " "
	left = common.Cut(left, a.width-common.Width(right))
	room := max(0, a.width-common.Width(left)-common.Width(right)-2)
	line := left
	if cut := common.Cut(msg, room); cut != "" {
		line += "  " + style.Render(cut)
	}
	line = common.Pad(line, a.width-common.Width(right)) + right
	return s.Status.Width(a.width).MaxWidth(a.width).Render(line)
}

// keyMap joins the global keys and the active tab's for bubbles/help.
type keyMap struct {
	global common.GlobalKeys
	reg    *common.Keys
	tab    common.Tab
	grey   *lipgloss.Style // read-only: the keys of changes are drawn in it
}

func (k keyMap) ShortHelp() []key.Binding { return append(k.tabShort(), k.globalShort()...) }

// tabShort is the active tab's part of the short help.
func (k keyMap) tabShort() []key.Binding {
	if k.tab == nil {
		return nil
	}
	return k.greyed(k.tab.ShortHelp())
}

// globalShort is the part of the short help that is always shown.
func (k keyMap) globalShort() []key.Binding {
	return []key.Binding{k.global.Tab1, k.global.Help, k.global.Quit}
}

func (k keyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	if k.tab != nil {
		for _, col := range k.tab.FullHelp() {
			out = append(out, k.greyed(col))
		}
	}
	return append(out, k.reg.GlobalHelp(common.HelpRows)...)
}

// greyed is bs with the changes (which read-only mode refuses) drawn grey.
func (k keyMap) greyed(bs []key.Binding) []key.Binding {
	if k.grey == nil {
		return bs
	}
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = b
		if k.reg.IsChange(b) {
			h := b.Help()
			out[i] = key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(k.grey.Render(h.Key), k.grey.Render(h.Desc)))
		}
	}
	return out
}
