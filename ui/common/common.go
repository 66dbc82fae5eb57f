// Package common is what every tab shares: the Tab contract and the tab
// indexes (TabOf maps the area an attention Item names to its tab), the messages
// tabs exchange with the root model, styles and small helpers, and the one
// way of doing each thing the tabs all do:
//
//   - keys.go is the key registry: every binding of the console with its
//     help in English and Japanese and its meaning, one meaning per key
//     (ctrl+r refreshes on every tab). Tabs take their bindings from
//     Deps.Keys; `?` lists them from it (Keys.HelpColumns).
//   - width.go measures in terminal cells: Cut shortens (ending in an
//     ellipsis), Pad fills, CutPad does both.
//   - table.go is the one list component: a header, columns in cells, the
//     selection marked and kept in view.
//   - build.go is how a tab proposes a change: Build makes the action in a
//     tea.Cmd, off the UI goroutine (OnHost looks the host up there too),
//     and Deps.Confirmed sends it to the confirm dialog.
//   - refresh.go is the refresh-while-visible timer (Refresher).
//   - answer.go reads the answer to a yes/no question inside an action
//     (Answer): esc cancels the whole action on every tab. Deps.Refused
//     (build.go) sends a change that would ask for input first straight to
//     the gate in read-only mode; Keys.Changes lists the keys it greys.
//
// A tab never runs a command or opens a file itself: it returns tea.Cmds that
// call ops, and gets the results back as messages.
package common

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// Deps are the things a tab may use. Built once by the app.
type Deps struct {
	Cfg      *config.Config
	Gate     *gate.Gate
	Hosts    *host.Registry
	Lang     string // "ja" | "en"
	ReadOnly bool
	Styles   *Styles
	// HostLabel names the machine in the status line (hostname, or the
	// --host name).
	HostLabel string
	// Host is the current host's name ("local" or a [[hosts]] name): what
	// the tabs that act on "the current host" (Jobs) use. Set from config
	// `host` / --host; the app changes it from the host picker (H) and then
	// broadcasts HostChangedMsg. Read it only in Update/View, never inside
	// a tea.Cmd (the app writes it on the UI goroutine).
	Host string
	// Now is time.Now; golden tests freeze it.
	Now func() time.Time

	keys *Keys
}

// Keys is the key registry with labels in the configured language (built
// on first use, on the UI goroutine).
func (d *Deps) Keys() *Keys {
	if d.keys == nil {
		d.keys = NewKeys(d.T)
	}
	return d.keys
}

// T picks the label for the configured language.
func (d *Deps) T(en, ja string) string { return config.Pick(d.Lang, en, ja) }

// ErrText is err in the configured language where a tab shows it (see
// gate.Shown).
func (d *Deps) ErrText(err error) string { return gate.Shown(err, d.T) }

// Word shows an identifier (a source, a verb, a problem kind): as it is in
// English, and from ja in Japanese; one ja does not list stays as it is.
func (d *Deps) Word(id string, ja map[string]string) string {
	if w, ok := ja[id]; ok {
		return d.T(id, w)
	}
	return id
}

// Tab is one screen of the console.
type Tab interface {
	// Title is the tab bar label, already in the configured language.
	Title() string
	Init() tea.Cmd
	Update(msg tea.Msg) (Tab, tea.Cmd)
	View() string
	// SetSize gives the tab the cells it may draw in (below the tab bar,
	// above the status and help lines).
	SetSize(width, height int)
	// ShortHelp and FullHelp feed bubbles/help (help.KeyMap).
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing is true while the tab takes free text (a search prompt, an
	// argument editor): the app then passes every key, even q and 1-5, to it.
	Capturing() bool
}

// ActiveMsg is sent to a tab when it becomes visible (true) or hidden
// (false). Tabs stop their refresh timers while hidden unless they feed the
// overview: an idle console must not burn CPU.
type ActiveMsg struct{ Active bool }

// ConfirmMsg asks the app to show the confirm dialog for an action and, on
// yes, run it through the gate. Tabs return it with Confirm(a).
type ConfirmMsg struct{ Action gate.Action }

// Confirm is the tea.Cmd a tab returns to ask for a change.
func Confirm(a gate.Action) tea.Cmd {
	return func() tea.Msg { return ConfirmMsg{Action: a} }
}

// ActionStartedMsg is broadcast when a confirmed action starts running.
type ActionStartedMsg struct{ Action gate.Action }

// ActionDoneMsg is broadcast to every tab when an action finished (or was
// refused): tabs refresh what it changed.
type ActionDoneMsg struct{ Result gate.Result }

// ToastMsg shows a line in the status bar for a while.
type ToastMsg struct {
	Text  string
	Error bool
}

// Toast is the tea.Cmd form of ToastMsg.
func Toast(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return ToastMsg{Text: text, Error: isErr} }
}

// SwitchTabMsg makes the app show a tab by its index (0 = Overview).
type SwitchTabMsg struct{ Index int }

// Tab indexes, in tab bar order.
const (
	TabOverview = iota
	TabJobs
	TabLogs
	TabDatabase
	TabServices
)

// areaTabs maps the area an attention Item names to its tab.
var areaTabs = map[attention.Area]int{
	attention.AreaOverview: TabOverview,
	attention.AreaJobs:     TabJobs,
	attention.AreaLogs:     TabLogs,
	attention.AreaDatabase: TabDatabase,
	attention.AreaServices: TabServices,
}

// TabOf is the tab that acts on an Item of area a; the Overview for ""
// or an area without a tab.
func TabOf(a attention.Area) int {
	if t, ok := areaTabs[a]; ok {
		return t
	}
	return TabOverview
}

// OpenLogMsg asks the Logs tab to open a pane: a file on a host, or the
// output of a command (journalctl -u UNIT -f). The app switches to Logs.
type OpenLogMsg struct {
	Name string
	Host string   // "" = local
	Path string   // a file to follow, or
	Argv []string // a command whose output is followed
	Kind string   // django | nginx-access | nginx-error | plain
	// Empty is what the pane says before the first line ("" = no lines
	// yet): a command's source knows why it may have none.
	Empty string
}

// HostChangedMsg is broadcast to every tab when the operator picks another
// current host (Deps.Host is already set to Name). Tabs that act on the
// current host switch to it and refresh; the others may ignore it.
type HostChangedMsg struct{ Name string }

// HostBadge is what a tab header shows for a thing on host name: "@ db1",
// or nothing for this machine.
func HostBadge(d *Deps, name string) string {
	if host.IsLocalName(name) {
		return ""
	}
	return d.Styles.Info.Render("@ " + name)
}
