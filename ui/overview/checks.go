package overview

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ui/common"
)

// OwnSources are the sources the Overview reads itself (its gauges and
// panels need more than attention items): the ops/check collectors of the
// same names are not run a second time for it.
var OwnSources = []string{"host", "amazon", "public", "nginx"}

// ChecksInterval is how often the checks run while the Overview is shown.
const ChecksInterval = 15 * time.Second

// checksTimeout bounds one run of a collector on top of its own timeout.
const checksTimeout = time.Minute

type (
	checksTickMsg struct{ gen int }
	// checkDoneMsg is one collector's report; the checker passes it on as
	// an attention.Report, which the Overview (or any tab) takes.
	checkDoneMsg struct{ rep attention.Report }
)

// checks runs the ops/check collectors for the attention list: once at
// start, then every interval while the Overview is shown. Each collector
// is its own Cmd, so a slow one (a hung host) holds up only itself.
type checks struct {
	d        *common.Deps
	interval time.Duration
	timer    common.Refresher
	inflight int // collectors still running
}

func newChecks(d *common.Deps) *checks { return &checks{d: d, interval: ChecksInterval} }

// Init runs the checks once.
func (c *checks) Init() tea.Cmd { return c.run() }

// Update takes the checker's own messages and ActiveMsg; it returns the
// Cmds to run (nil for messages that are not its own).
func (c *checks) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		c.timer.SetActive(msg.Active)
		if msg.Active {
			return c.run() // a run still going schedules the next tick when done
		}
	case checksTickMsg:
		if c.timer.Due(msg.gen) {
			return c.run()
		}
	case checkDoneMsg:
		c.inflight--
		rep := msg.rep
		cmds := []tea.Cmd{func() tea.Msg { return rep }}
		if c.inflight == 0 && c.timer.Active() {
			cmds = append(cmds, c.timer.Tick(c.interval, func(gen int) tea.Msg { return checksTickMsg{gen} }))
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// run starts every collector not already running.
func (c *checks) run() tea.Cmd {
	if c.inflight > 0 {
		return nil
	}
	d := c.d
	var cmds []tea.Cmd
	for _, col := range check.All() {
		if slices.Contains(OwnSources, col.Name) {
			continue
		}
		c.inflight++
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), checksTimeout)
			defer cancel()
			r := check.RunOne(ctx, d.Cfg, d.Hosts, col)
			return checkDoneMsg{check.ForOverview(r.Report, d.T)}
		})
	}
	return tea.Batch(cmds...)
}
