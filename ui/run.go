package ui

import (
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/dbview"
	"github.com/richs/richsops/ui/jobsview"
	"github.com/richs/richsops/ui/logsview"
	"github.com/richs/richsops/ui/overview"
	"github.com/richs/richsops/ui/servicesview"
)

// Tabs builds the five tabs in tab bar order (see common.TabOverview...).
func Tabs(d *common.Deps) []common.Tab {
	return []common.Tab{overview.New(d), jobsview.New(d), logsview.New(d), dbview.New(d), servicesview.New(d)}
}

// NewDeps fills the parts of Deps that have defaults.
func NewDeps(d common.Deps) *common.Deps {
	if d.Styles == nil {
		d.Styles = common.DefaultStyles()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Lang == "" {
		d.Lang = d.Cfg.Lang
	}
	if d.Hosts == nil {
		d.Hosts = host.NewRegistry(d.Cfg)
	}
	if d.Gate == nil {
		d.Gate = gate.New(d.ReadOnly || d.Cfg.ReadOnly, d.Cfg.AuditLog)
	}
	return &d
}

// Run starts the console in the alternate screen and blocks until it quits.
func Run(d *common.Deps) error {
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	// Ask the terminal for its background colour (the styles' adaptive
	// colours need it) now, before the program owns the terminal and would
	// swallow the answer. Upstream Bubble Tea v1 asks in its package init, in
	// every process; our copy (third_party/bubbletea) leaves it to here, so
	// the headless commands never query the terminal.
	dark := lipgloss.HasDarkBackground()
	app := New(d, Tabs(d))
	app.resolveColors(lipgloss.ColorProfile(), dark)
	// At most 20 frames/s: a busy log pane redraws once per frame (the
	// panes batch their lines per 50 ms frame too). Idle, the patched
	// renderer (third_party/bubbletea) is not woken at all.
	p := tea.NewProgram(app, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithFPS(20))
	_, err := p.Run()
	return err
}

// resolveColors turns the colours of the styles and of the key help into
// this terminal's, once (common.ResolveColors): lipgloss would convert each
// hex colour at every Render. In place: the tabs read the shared styles when
// they draw.
func (a *App) resolveColors(p termenv.Profile, dark bool) {
	common.ResolveColors(a.deps.Styles, p, dark)
	common.ResolveColors(&a.help.Styles, p, dark)
}
