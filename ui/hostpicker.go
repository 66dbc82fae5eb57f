package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ui/common"
)

// probeTimeout bounds each of the probe's two commands; host.ProbeHost
// never takes much longer than twice this, so the picker never waits on a
// host that does not answer.
var probeTimeout = 5 * time.Second

// hostPicker is the modal that lists "local" and every [[hosts]] entry with
// its reachability, and sets the current host.
type hostPicker struct {
	deps *common.Deps
	nav  common.NavKeys
	gen  int // which opening the probes belong to
	rows []pickRow
	cur  int
	tbl  common.Table
}

type pickRow struct {
	name, ssh, roles string
	current          bool
	probed           bool
	probe            host.Probe
}

// probeMsg is one host's probe result.
type probeMsg struct {
	gen   int
	name  string
	probe host.Probe
}

// newHostPicker lists the hosts with the current one selected, and returns
// the probes (one tea.Cmd per host, each bounded by probeTimeout).
func newHostPicker(d *common.Deps, gen int) (*hostPicker, tea.Cmd) {
	p := &hostPicker{deps: d, nav: common.NewNavKeys(d.T), gen: gen}
	cmds := []tea.Cmd{}
	for i, name := range d.Hosts.Names() {
		r := pickRow{name: name}
		if e, ok := d.Cfg.HostEntry(name); ok {
			r.ssh, r.roles = e.SSH, strings.Join(e.Roles, ",")
		}
		if name == d.Host || (host.IsLocalName(name) && host.IsLocalName(d.Host)) {
			p.cur, r.current = i, true
		}
		p.rows = append(p.rows, r)
		cmds = append(cmds, probe(d.Hosts, name, gen))
	}
	return p, tea.Batch(cmds...)
}

func probe(reg *host.Registry, name string, gen int) tea.Cmd {
	return func() tea.Msg {
		h, err := reg.Get(name)
		if err != nil {
			return probeMsg{gen: gen, name: name, probe: host.Probe{Err: err}}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*probeTimeout)
		defer cancel()
		return probeMsg{gen: gen, name: name, probe: host.ProbeHost(ctx, h, probeTimeout)}
	}
}

func (p *hostPicker) setProbe(m probeMsg) {
	if m.gen != p.gen {
		return
	}
	for i := range p.rows {
		if p.rows[i].name == m.name {
			p.rows[i].probed, p.rows[i].probe = true, m.probe
		}
	}
}

// update returns (done, chosen host name or "" when cancelled).
func (p *hostPicker) update(msg tea.KeyPressMsg) (bool, string) {
	switch {
	case key.Matches(msg, p.nav.Up):
		p.cur = max(0, p.cur-1)
	case key.Matches(msg, p.nav.Down):
		p.cur = min(len(p.rows)-1, p.cur+1)
	case msg.String() == "enter":
		return true, p.rows[p.cur].name
	case msg.String() == "esc", msg.String() == "H", msg.String() == "q":
		return true, ""
	}
	return false, ""
}

// view draws the dialog in width x height cells; with more hosts than fit,
// the rows scroll to keep the selection shown.
func (p *hostPicker) view(width, height int) string {
	s := p.deps.Styles
	t := p.deps.T
	maxW := min(width-6, 100)
	nameW, sshW := 4, 3
	for _, r := range p.rows {
		nameW = max(nameW, common.Width(r.name)+2)
		sshW = max(sshW, common.Width(r.ssh))
	}
	p.tbl.Columns = []common.Column{
		{Title: t("HOST", "ホスト"), Width: min(nameW, 20)},
		{Title: "SSH", Width: min(sshW, 28)},
		{Title: t("ROLES", "役割"), Width: 13},
		{Title: t("STATE", "状態"), Width: 10, Flex: true},
	}
	rows := make([][]string, 0, len(p.rows))
	for _, r := range p.rows {
		name := r.name
		if r.current {
			name += " *"
		}
		rows = append(rows, []string{name, r.ssh, r.roles, p.state(r)})
	}
	lines := []string{s.Title.Render(t("Current host", "対象ホスト")), ""}
	// border, title, blank, header, blank, key line
	lines = append(lines, p.tbl.Lines(s, rows, p.cur, maxW, max(2, height-6))...)
	lines = append(lines, "", s.Muted.Render(t("* current · j/k move · enter choose · esc close", "* 現在 · j/k 移動 · enter 選択 · esc 閉じる")))
	return s.Border.Padding(0, 1).Render(strings.Join(lines, "\n"))
}

// state is the probe column: probing…, ok with the round trip, or why not.
func (p *hostPicker) state(r pickRow) string {
	s := p.deps.Styles
	t := p.deps.T
	switch {
	case !r.probed:
		return s.Muted.Render(t("probing…", "確認中…"))
	case !r.probe.Reachable:
		why := ""
		if r.probe.Err != nil {
			why = ": " + sanitize.String(firstLine(r.probe.Err.Error()))
		}
		return s.Crit.Render(t("unreachable", "到達不可") + why)
	case r.probe.Err != nil:
		return s.Warn.Render(t("answers, but: ", "応答あり、ただし: ") + sanitize.String(firstLine(r.probe.Err.Error())))
	}
	return s.OK.Render(t("ok ", "正常 ") + rtt(r.probe))
}

// rtt is the round trip on the open connection, or the connect time when
// there was none.
func rtt(p host.Probe) string {
	d := p.RTT
	if d == 0 {
		d = p.Connect
	}
	if d < time.Second {
		return d.Round(100 * time.Microsecond).String()
	}
	return human.Duration(d)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// hostLabel is the status line's host: this machine's label, or the current
// host's name and ssh destination.
func hostLabel(d *common.Deps) string {
	if host.IsLocalName(d.Host) {
		return sanitize.String(d.HostLabel) // the machine's own name, from the box
	}
	if e, ok := d.Cfg.HostEntry(d.Host); ok && e.SSH != "" {
		return d.Host + " (" + e.SSH + ")"
	}
	return d.Host
}
