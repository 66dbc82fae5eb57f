package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

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
// Bubble Tea reads NO_COLOR and the terminal's colour profile itself, and
// the App asks the terminal for its background colour from Init: only the
// console queries the terminal, never a headless command.
func Run(d *common.Deps) error {
	// At most 20 frames/s: a busy log pane redraws once per frame (the
	// panes batch their lines per 50 ms frame too).
	p := tea.NewProgram(New(d, Tabs(d)), tea.WithFPS(20))
	_, err := p.Run()
	return err
}
