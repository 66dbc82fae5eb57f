// Package overview is the Overview tab: one screen that says what needs
// attention (worst first, each with the key that acts on it), the host's
// gauges and sparklines, the Amazon block countdown, the public folders and
// the nginx traffic.
//
// The attention list is fed by attention.Report messages keyed by source:
// the overview's own sources (host, amazon, public, nginx) report the same
// way any other tab can, so new sources need no change here.
package overview

import (
	"context"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/catchup"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/hold"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/public"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/traffic"
	"github.com/richs/richsops/ui/common"
)

// Sources the overview itself reports.
const (
	srcHost   = "host"
	srcAmazon = "amazon"
	srcPublic = "public"
	srcNginx  = "nginx"
)

// TrafficWindow is how much of the end of the access log the overview
// reads on each refresh (the CLI reads the whole file).
const TrafficWindow = check.TrafficWindow

// refresh says how often each source is read while the tab is shown and
// while it is hidden. All four feed the attention list, so they keep
// running when hidden, just slower; the costly public walk least often.
var refresh = map[string][2]time.Duration{
	srcHost:   {5 * time.Second, 30 * time.Second},
	srcAmazon: {30 * time.Second, 2 * time.Minute},
	srcPublic: {2 * time.Minute, 15 * time.Minute},
	srcNginx:  {15 * time.Second, 2 * time.Minute},
}

// timeouts bound each fetch.
var timeouts = map[string]time.Duration{
	srcHost: 10 * time.Second, srcAmazon: 30 * time.Second, srcPublic: 2 * time.Minute, srcNginx: 30 * time.Second,
}

type keys struct {
	Up, Down, Enter, Clean, Refresh, Log, Run, PgUp, PgDown, Top, Bottom key.Binding
}

// Model is the Overview tab.
type Model struct {
	d      *common.Deps
	tbl    common.Table // the attention list
	keys   keys
	width  int
	height int
	timer  common.Refresher // show/hide starts a new generation of ticks

	inflight map[string]bool // a fetch per source at most

	snap    sysinfo.Snapshot
	hist    *sysinfo.History
	amz     amazon.Status
	hold    hold.State
	folders []public.Folder
	traf    traffic.Summary
	errs    map[string]string // the last fetch error per source
	seen    map[string]time.Time

	reports map[string][]attention.Item
	checks  *checks // the ops/check collectors of the other sources (jobs, services, ...)
	sel     int     // selected attention row
	scroll  int     // first line of the page shown
	planing bool
}

// New builds the Overview tab.
func New(d *common.Deps) common.Tab {
	r := d.Keys()
	nav := r.Nav
	return &Model{
		d: d,
		keys: keys{
			Up:      nav.Up,
			Down:    nav.Down,
			Enter:   r.Overview.Act,
			Clean:   r.Overview.Clean,
			Refresh: r.Global.Refresh,
			Log:     r.Overview.Log,
			Run:     r.Overview.Run,
			PgUp:    nav.PgUp,
			PgDown:  nav.PgDown,
			Top:     nav.Top,
			Bottom:  nav.Bottom,
		},
		width: 80, height: 20,
		inflight: map[string]bool{},
		hist:     sysinfo.NewHistory(time.Hour),
		errs:     map[string]string{},
		seen:     map[string]time.Time{},
		reports:  map[string][]attention.Item{},
		checks:   newChecks(d),
	}
}

func (m *Model) Title() string   { return m.d.T("Overview", "概要") }
func (m *Model) Capturing() bool { return false }
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Enter, m.keys.Clean, m.keys.Log, m.keys.Run, m.keys.Refresh}
}

func (m *Model) FullHelp() [][]key.Binding {
	return m.d.Keys().HelpColumns(common.TabOverview, common.HelpRows)
}

// Init reads every source once; each result schedules the next read.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.fetchAll(), m.checks.Init()) }

// Messages of the tab's own fetches.
type (
	tickMsg struct {
		src string
		gen int
	}
	hostMsg struct {
		snap sysinfo.Snapshot
		err  error
	}
	amazonMsg struct {
		st   amazon.Status
		hold hold.State // the hold of the Amazon-heavy jobs
		err  error
	}
	publicMsg struct {
		folders []public.Folder
	}
	trafficMsg struct {
		s   traffic.Summary
		err error
	}
	// planMsg is the clean-up built off the UI goroutine: the files and
	// the action that removes exactly those.
	planMsg struct {
		plan   public.Plan
		action gate.Action
		err    error
	}
	// catchUpMsg is a missed run's run now, built after its checks.
	catchUpMsg struct {
		job    string
		action gate.Action
		err    error
	}
)

func (m *Model) fetchAll() tea.Cmd {
	var cmds []tea.Cmd
	for src := range refresh {
		cmds = append(cmds, m.fetch(src))
	}
	return tea.Batch(cmds...)
}

// fetch starts reading a source unless a read of it is already running.
func (m *Model) fetch(src string) tea.Cmd {
	if m.inflight[src] {
		return nil
	}
	m.inflight[src] = true
	d := m.d
	ctxFor := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), timeouts[src])
	}
	switch src {
	case srcHost:
		return func() tea.Msg {
			ctx, cancel := ctxFor()
			defer cancel()
			s, err := sysinfo.Collect(ctx, d.Now())
			return hostMsg{s, err}
		}
	case srcAmazon:
		return func() tea.Msg {
			ctx, cancel := ctxFor()
			defer cancel()
			now := d.Now()
			st, err := amazon.Check(ctx, d.Hosts, d.Cfg, now)
			if err != nil {
				return amazonMsg{st: st, err: err}
			}
			// As in richsops check: a crontab that cannot be read is the
			// jobs source's to report.
			hs, _ := check.HoldOf(ctx, d.Cfg, d.Hosts, d.Host, st, now)
			return amazonMsg{st, hs, nil}
		}
	case srcPublic:
		pc := d.Cfg.Public
		if !m.timer.Active() {
			// Hidden, only tmp matters (its size feeds the attention list);
			// walking a big images folder is not cheap.
			pc.Folders = []string{"tmp"}
		}
		return func() tea.Msg {
			ctx, cancel := ctxFor()
			defer cancel()
			h, err := d.Hosts.Get(host.LocalName)
			if err != nil {
				return publicMsg{}
			}
			return publicMsg{public.Scan(ctx, h, pc, d.Now())}
		}
	case srcNginx:
		return func() tea.Msg {
			ctx, cancel := ctxFor()
			defer cancel()
			l, f, err := traffic.LogOf(d.Cfg)
			if err != nil {
				return trafficMsg{err: err}
			}
			h, err := d.Hosts.Get(l.Host)
			if err != nil {
				return trafficMsg{err: err}
			}
			s, err := traffic.SummarizeHost(ctx, h, l.Path, f, traffic.Options{Top: 5, SeriesMinutes: 60}, TrafficWindow)
			return trafficMsg{s, err}
		}
	}
	m.inflight[src] = false
	return nil
}

// done marks a fetch finished and schedules the next one.
func (m *Model) done(src string, err error) tea.Cmd {
	m.inflight[src] = false
	m.seen[src] = m.d.Now()
	if err != nil {
		m.errs[src] = err.Error()
	} else {
		delete(m.errs, src)
	}
	return m.schedule(src)
}

// schedule arms the next read of src at the pace of the tab's state.
func (m *Model) schedule(src string) tea.Cmd {
	iv := refresh[src][1]
	if m.timer.Active() {
		iv = refresh[src][0]
	}
	return m.timer.Tick(iv, func(gen int) tea.Msg { return tickMsg{src: src, gen: gen} })
}

func (m *Model) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		m.timer.SetActive(msg.Active) // the pending ticks were timed for the other state
		cmds := []tea.Cmd{m.checks.Update(msg)}
		for src := range refresh {
			if m.inflight[src] {
				continue // its result schedules the next tick at the new pace
			}
			if msg.Active {
				cmds = append(cmds, m.fetch(src))
			} else {
				cmds = append(cmds, m.schedule(src))
			}
		}
		return m, tea.Batch(cmds...)
	case checksTickMsg, checkDoneMsg:
		return m, m.checks.Update(msg)
	case tickMsg:
		if !m.timer.Fresh(msg.gen) {
			return m, nil
		}
		return m, m.fetch(msg.src)
	case hostMsg:
		if msg.err == nil {
			m.snap = msg.snap
			m.hist.Add(msg.snap)
		}
		m.report(srcHost, m.snap.Attention(m.d.Cfg.Thresholds, m.d.T))
		return m, m.done(srcHost, msg.err)
	case amazonMsg:
		if msg.err == nil {
			m.amz, m.hold = msg.st, msg.hold
		}
		m.report(srcAmazon, amazonItems(m.d, m.amz, m.hold))
		return m, m.done(srcAmazon, msg.err)
	case publicMsg:
		m.folders = mergeFolders(m.folders, msg.folders)
		m.report(srcPublic, public.Attention(m.folders, m.d.Cfg.Public, m.d.T))
		return m, m.done(srcPublic, nil)
	case trafficMsg:
		if msg.err == nil {
			m.traf = msg.s
		}
		m.report(srcNginx, nginxItems(m.d, &m.traf))
		return m, m.done(srcNginx, msg.err)
	case attention.Report:
		m.report(msg.Source, msg.Items)
		return m, nil
	case planMsg:
		return m, m.planned(msg)
	case catchUpMsg:
		if msg.err != nil {
			return m, common.Toast(msg.job+": "+msg.err.Error(), true)
		}
		return m, common.Confirm(msg.action)
	case common.ActionDoneMsg:
		if msg.Result.Action == "public.clean" {
			return m, m.fetch(srcPublic)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.scroll = max(0, m.scroll-3)
		case tea.MouseWheelDown:
			m.scroll += 3
		}
	}
	return m, nil
}

// mergeFolders replaces the folders in fresh and keeps the others (a
// hidden tab reads only tmp).
func mergeFolders(old, fresh []public.Folder) []public.Folder {
	out := append([]public.Folder(nil), old...)
	for _, f := range fresh {
		found := false
		for i := range out {
			if out[i].Name == f.Name {
				out[i], found = f, true
			}
		}
		if !found {
			out = append(out, f)
		}
	}
	return out
}

// report replaces a source's items.
func (m *Model) report(src string, items []attention.Item) {
	if len(items) == 0 {
		delete(m.reports, src)
	} else {
		m.reports[src] = items
	}
	if n := len(m.items()); m.sel >= n {
		m.sel = max(0, n-1)
	}
}

// items is the attention list: every source's items above OK, worst first.
func (m *Model) items() []attention.Item {
	var out []attention.Item
	for _, its := range m.reports {
		for _, it := range its {
			if it.Severity > attention.OK {
				out = append(out, it)
			}
		}
	}
	attention.Sort(out)
	return out
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	items := m.items()
	switch {
	case key.Matches(msg, m.keys.Up):
		m.sel = max(0, m.sel-1)
	case key.Matches(msg, m.keys.Down):
		m.sel = min(max(0, len(items)-1), m.sel+1)
	case key.Matches(msg, m.keys.PgUp):
		m.scroll = max(0, m.scroll-m.height/2)
	case key.Matches(msg, m.keys.PgDown):
		m.scroll += m.height / 2
	case key.Matches(msg, m.keys.Top):
		m.scroll = 0
	case key.Matches(msg, m.keys.Bottom):
		m.scroll = 1 << 30
	case key.Matches(msg, m.keys.Refresh):
		return tea.Batch(m.fetchAll(), m.checks.run())
	case key.Matches(msg, m.keys.Clean):
		return m.planClean()
	case key.Matches(msg, m.keys.Log):
		return m.openAccessLog()
	case key.Matches(msg, m.keys.Run):
		if m.sel < len(items) && m.isCatchUp(items[m.sel]) {
			return m.planCatchUp(items[m.sel].Subject)
		}
		return common.Toast(m.d.T("select a missed run to run it now", "今すぐ実行するには抜けた実行を選んでください"), false)
	case key.Matches(msg, m.keys.Enter):
		if m.sel < len(items) {
			return m.act(items[m.sel])
		}
	}
	return nil
}

// hint is the key shown beside an item. The Overview's own keys (C, l)
// act from here; an item another tab acts on says enter, which switches
// there: that tab's key (p, s, R ...) would do nothing on the Overview.
func (m *Model) hint(it attention.Item) string {
	switch {
	case it.Key == m.keys.Clean.Help().Key || it.Key == m.keys.Log.Help().Key || m.isCatchUp(it):
		return it.Key
	case common.TabOf(it.Area) != common.TabOverview:
		return m.keys.Enter.Help().Key
	}
	return it.Key
}

// isCatchUp is true for a missed run's item, which R (and enter) runs
// here: "run the missed check now".
func (m *Model) isCatchUp(it attention.Item) bool {
	return it.Key == m.keys.Run.Help().Key && it.Subject != "" && it.Area == attention.AreaJobs
}

// planCatchUp builds the run now of a missed run, as a catch-up: the
// guard and the Amazon hold are asked first (jobs.Precheck, in
// RunAction); a refusal is a toast that says why.
func (m *Model) planCatchUp(job string) tea.Cmd {
	d := m.d
	if d.ReadOnly {
		return d.Refused("jobs.run", job, d.Host)
	}
	return common.Build(2*time.Minute, common.OnHost(d.Hosts, d.Host, func(ctx context.Context, h host.Host) (gate.Action, error) {
		return jobs.RunAction(ctx, h, d.Cfg, catchup.Spec(job), jobs.DefaultGuard)
	}), func(a gate.Action, err error) tea.Msg { return catchUpMsg{job: job, action: a, err: err} })
}

// act does what the selected item's key says.
func (m *Model) act(it attention.Item) tea.Cmd {
	switch {
	case it.Key == m.keys.Clean.Help().Key:
		return m.planClean()
	case it.Key == m.keys.Log.Help().Key:
		return m.openAccessLog()
	case m.isCatchUp(it):
		return m.planCatchUp(it.Subject)
	case common.TabOf(it.Area) != common.TabOverview:
		return func() tea.Msg { return common.SwitchTabMsg{Index: common.TabOf(it.Area)} }
	}
	return nil
}

func (m *Model) openAccessLog() tea.Cmd {
	l, _, err := traffic.LogOf(m.d.Cfg)
	if err != nil {
		return common.Toast(err.Error(), true)
	}
	return func() tea.Msg {
		return common.OpenLogMsg{Name: l.Name, Host: l.Host, Path: l.Path, Kind: l.Kind}
	}
}

// planClean lists the old tmp files and builds their removal
// (common.Build); planned shows the confirm.
func (m *Model) planClean() tea.Cmd {
	if m.planing {
		return nil
	}
	m.planing = true
	d := m.d
	return common.Build(2*time.Minute, common.OnHost(d.Hosts, host.LocalName, func(ctx context.Context, h host.Host) (planMsg, error) {
		p, err := public.PlanClean(ctx, h, filepath.Join(d.Cfg.Public.Dir, "tmp"), d.Cfg.Public.TmpMaxAge.Duration, d.Now(), d.Cfg.T)
		return planMsg{plan: p, action: p.Action(h)}, err
	}), func(p planMsg, err error) tea.Msg { p.err = err; return p })
}

func (m *Model) planned(msg planMsg) tea.Cmd {
	m.planing = false
	switch {
	case msg.err != nil:
		return common.Toast(m.d.T("clean-up: ", "掃除: ")+msg.err.Error(), true)
	case len(msg.plan.Files) == 0:
		return common.Toast(m.d.T("nothing in tmp is old enough to remove", "tmp に削除対象の古いファイルはありません"), false)
	}
	return common.Confirm(msg.action)
}
