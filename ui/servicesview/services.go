// Package servicesview is the Services tab: systemd units, the pm2 app
// index-linux, plain-command services, the HTTP probes and Redis PING, with
// confirmed start/stop/restart/reload and the runbook's
// "restart Redis, then index-linux".
package servicesview

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/services"
	"github.com/richs/richsops/ui/common"
)

// RefreshEvery is how often the visible tab re-reads everything.
const RefreshEvery = 5 * time.Second

// collectTimeout bounds one refresh (probes have their own, shorter ones).
const collectTimeout = 30 * time.Second

// Tab is the Services tab.
type Tab struct {
	d        *common.Deps
	keys     keyMap
	width    int
	height   int
	tbl      common.Table // the service list
	probeTbl common.Table // the probes
	timer    common.Refresher
	loading  bool
	again    bool // an action finished during a load: load once more after it
	snap     health.Snapshot
	loaded   bool
	sel      int
	details  bool
	// running maps a service to the verb in flight; outcome keeps the last
	// verified outcome (or failure) of an action per service.
	running map[string]string
	outcome map[string]outcome
	spin    spinner.Model
	// ask is a stop or restart that endangers the Mercari check, waiting
	// for y (pause it first, in the same step), n (as it is) or esc.
	ask *riskMsg
}

// riskMsg is a stop or restart built with what it endangers: plain says
// so in its preview; paused, when set, pauses the Mercari check first.
type riskMsg struct {
	plain, paused gate.Action
	lines         []string
	offer         bool
	err           error
}

type outcome struct {
	text string
	err  bool
	at   time.Time
}

type snapshotMsg struct{ snap health.Snapshot }
type tickMsg struct{ gen int }

// New builds the Services tab.
func New(d *common.Deps) common.Tab {
	return &Tab{
		d:       d,
		keys:    newKeys(d),
		width:   80,
		height:  20,
		running: map[string]string{},
		outcome: map[string]outcome{},
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
	}
}

func (t *Tab) Title() string    { return t.d.T("Services", "サービス") }
func (t *Tab) Init() tea.Cmd    { return nil }
func (t *Tab) Capturing() bool  { return t.ask != nil }
func (t *Tab) SetSize(w, h int) { t.width, t.height = w, h }

func (t *Tab) ShortHelp() []key.Binding {
	k := t.keys
	return []key.Binding{k.Start, k.Stop, k.Restart, k.Reload, k.RedisThenIndex, k.Log}
}

func (t *Tab) FullHelp() [][]key.Binding {
	return t.d.Keys().HelpColumns(common.TabServices, common.HelpRows)
}

// load reads everything in a tea.Cmd.
func (t *Tab) load() tea.Cmd {
	if t.loading {
		t.again = true
		return nil
	}
	t.loading = true
	cfg, hosts := t.d.Cfg, t.d.Hosts
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
		defer cancel()
		return snapshotMsg{snap: health.Collect(ctx, cfg, hosts)}
	}
}

func (t *Tab) tick() tea.Cmd {
	return t.timer.Tick(RefreshEvery, func(gen int) tea.Msg { return tickMsg{gen: gen} })
}

func (t *Tab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		t.timer.SetActive(msg.Active)
		if !msg.Active {
			return t, nil
		}
		return t, tea.Batch(t.load(), t.tick())
	case tickMsg:
		if !t.timer.Due(msg.gen) {
			return t, nil // hidden, or an old chain: let it die
		}
		return t, tea.Batch(t.load(), t.tick())
	case snapshotMsg:
		t.loading = false
		t.snap, t.loaded = msg.snap, true
		t.clampSel()
		if t.again && t.timer.Active() {
			t.again = false
			return t, t.load()
		}
		t.again = false
		return t, nil
	case common.ActionStartedMsg:
		verb, targets, ok := ours(msg.Action.Name, msg.Action.Target)
		if !ok {
			return t, nil
		}
		wasIdle := len(t.running) == 0
		for _, n := range targets {
			t.running[n] = t.d.Word(verb, verbJa)
		}
		if wasIdle {
			return t, t.spin.Tick
		}
		return t, nil
	case common.ActionDoneMsg:
		_, targets, ok := ours(msg.Result.Action, msg.Result.Target)
		if !ok {
			return t, nil
		}
		o := outcome{text: msg.Result.Outcome.Summary, at: t.d.Now()}
		if msg.Result.Err != nil {
			o.text, o.err = t.d.ErrText(msg.Result.Err), true
		}
		for _, n := range targets {
			delete(t.running, n)
			t.outcome[n] = o
		}
		return t, t.load()
	case spinner.TickMsg:
		if len(t.running) == 0 {
			return t, nil
		}
		var cmd tea.Cmd
		t.spin, cmd = t.spin.Update(msg)
		return t, cmd
	case riskMsg:
		switch {
		case msg.err != nil:
			return t, common.Toast(t.d.ErrText(msg.err), true)
		case msg.offer && !t.d.ReadOnly: // read-only: refused without the question
			t.ask = &msg
			return t, nil
		}
		return t, common.Confirm(msg.plain)
	case tea.KeyPressMsg:
		if t.ask != nil {
			return t, t.answer(msg)
		}
		return t, t.key(msg)
	}
	return t, nil
}

// answer is the reply to the question of ask.
func (t *Tab) answer(msg tea.KeyPressMsg) tea.Cmd {
	ask := t.ask
	switch common.Answer(msg) {
	case common.Yes:
		t.ask = nil
		return common.Confirm(ask.paused)
	case common.No:
		t.ask = nil
		return common.Confirm(ask.plain)
	case common.Cancel:
		t.ask = nil
		return t.d.Cancelled(ask.plain.Name + " " + ask.plain.Target)
	}
	return nil
}

// askLines is the question of ask, for the view.
func (t *Tab) askLines() []string {
	if t.ask == nil {
		return nil
	}
	s := t.d.Styles
	var out []string
	for _, l := range t.ask.lines {
		out = append(out, s.Crit.Render(l))
	}
	return append(out, s.Key.Render(t.d.T("Pause the Mercari check first, in the same step? ",
		"先にメルカリのチェックを同じ操作で停止しますか? ")+t.d.AskKeys()))
}

// verbJa are the services actions' verbs in Japanese (the composite
// Redis→index-linux restart keeps its name).
var verbJa = map[string]string{
	string(services.Start):   "起動",
	string(services.Stop):    "停止",
	string(services.Restart): "再起動",
	string(services.Reload):  "リロード",
}

// ours tells whether an action is a services action, with its verb and
// the services it touches.
func ours(name, target string) (string, []string, bool) {
	verb, ok := strings.CutPrefix(name, "services.")
	if !ok {
		return "", nil, false
	}
	return verb, strings.Split(target, ","), true
}

func (t *Tab) clampSel() {
	if t.sel >= len(t.snap.Services) {
		t.sel = len(t.snap.Services) - 1
	}
	if t.sel < 0 {
		t.sel = 0
	}
}

func (t *Tab) key(msg tea.KeyPressMsg) tea.Cmd {
	k := t.keys
	switch {
	case key.Matches(msg, k.Up):
		t.sel--
		t.clampSel()
	case key.Matches(msg, k.Down):
		t.sel++
		t.clampSel()
	case key.Matches(msg, k.Top):
		t.sel = 0
	case key.Matches(msg, k.Bottom):
		t.sel = len(t.snap.Services) - 1
		t.clampSel()
	case key.Matches(msg, k.Details):
		t.details = !t.details
	case key.Matches(msg, k.Reread):
		return t.load()
	case key.Matches(msg, k.Start):
		return t.act(services.Start)
	case key.Matches(msg, k.Stop):
		return t.act(services.Stop)
	case key.Matches(msg, k.Restart):
		return t.act(services.Restart)
	case key.Matches(msg, k.Reload):
		return t.act(services.Reload)
	case key.Matches(msg, k.RedisThenIndex):
		return t.redisThenIndex()
	case key.Matches(msg, k.Log):
		return t.openLog()
	}
	return nil
}

// selected is the selected service's status, if the list is loaded.
func (t *Tab) selected() (services.Status, bool) {
	if t.sel < 0 || t.sel >= len(t.snap.Services) {
		return services.Status{}, false
	}
	return t.snap.Services[t.sel], true
}

func (t *Tab) busy(name string) tea.Cmd {
	if verb, ok := t.running[name]; ok {
		return common.Toast(t.d.T(name+" is busy: "+verb+" is running", name+" は実行中です: "+verb), true)
	}
	return nil
}

// act proposes a verb on the selected service: the action is built off
// the UI goroutine (common.Build), with what it endangers.
func (t *Tab) act(v services.Verb) tea.Cmd {
	st, ok := t.selected()
	if !ok {
		return nil
	}
	if cmd := t.busy(st.Name); cmd != nil {
		return cmd
	}
	spec, err := services.Find(t.d.Cfg, st.Name)
	if err != nil {
		return common.Toast(t.d.ErrText(err), true)
	}
	spec.Learn(st)
	cfg, hosts := t.d.Cfg, t.d.Hosts
	return common.Build(collectTimeout, common.OnHost(hosts, spec.Host, func(ctx context.Context, h host.Host) (riskMsg, error) {
		a, err := services.Action(spec, h, v)
		if err != nil {
			return riskMsg{}, err
		}
		if !guard.Endangers(cfg, st.Name, v) {
			return riskMsg{plain: a}, nil
		}
		return protect(ctx, cfg, hosts, st.Name, v, a), nil
	}), t.proposed)
}

// proposed is the reply of act and redisThenIndex: the confirm dialog, the
// question whether to pause the Mercari check first, or why not.
func (t *Tab) proposed(r riskMsg, err error) tea.Msg {
	switch {
	case err != nil:
		return t.d.Confirmed(gate.Action{}, err)
	case r.err != nil:
		return t.d.Confirmed(gate.Action{}, r.err)
	case r.offer:
		return r
	}
	return t.d.Confirmed(r.plain, nil)
}

// protect finds what a stop or restart of index-linux, Redis or mysqld
// endangers (the Mercari check running or due) and builds the variant that
// pauses the check first (guard.Variants, which the CLI uses too).
func protect(ctx context.Context, cfg *config.Config, hosts *host.Registry, name string, v services.Verb, a gate.Action) riskMsg {
	plain, paused, r, err := guard.Variants(ctx, cfg, hosts, name, v, a, jobs.DefaultKillWait)
	switch {
	case err != nil:
		return riskMsg{err: err}
	case paused == nil:
		return riskMsg{plain: plain}
	}
	return riskMsg{plain: plain, paused: *paused, offer: true, lines: r.Lines(cfg.T, time.Now())}
}

func (t *Tab) redisThenIndex() tea.Cmd {
	cfg, hosts := t.d.Cfg, t.d.Hosts
	idx := services.IndexLinuxSpec(cfg)
	for _, n := range []string{cfg.IndexLinux.RedisService, idx.Name} {
		if cmd := t.busy(n); cmd != nil {
			return cmd
		}
	}
	return common.Build(collectTimeout, common.OnHost(hosts, idx.Host, func(ctx context.Context, ih host.Host) (riskMsg, error) {
		check := func(ctx context.Context) (bool, string) { return health.IndexLinux(ctx, cfg, ih) }
		a, err := services.RedisThenIndexLinux(cfg, hosts, check)
		if err != nil {
			return riskMsg{}, err
		}
		return protect(ctx, cfg, hosts, idx.Name, services.Restart, a), nil
	}), t.proposed)
}

func (t *Tab) openLog() tea.Cmd {
	st, ok := t.selected()
	if !ok {
		return nil
	}
	spec, err := services.Find(t.d.Cfg, st.Name)
	if err != nil {
		return common.Toast(err.Error(), true)
	}
	src, err := services.Log(spec)
	if err != nil {
		return common.Toast(err.Error(), true)
	}
	return func() tea.Msg {
		return common.OpenLogMsg{Name: src.Name, Host: src.Host, Path: src.Path, Argv: src.Argv, Kind: src.Kind, Empty: src.Empty}
	}
}
