// Package dbview is the Database tab: the server, its binary logs and
// expiry, the datadir's disk, and the actions of runbook procedures 8-9
// (set expiry, flush, purge, the disk-full emergency path, backup).
//
// Nothing here touches the server or a file: every reading and every plan
// is a tea.Cmd calling ops/mysql or ops/backup with a timeout, and every
// change goes to the app's confirm dialog and the gate.
package dbview

import (
	"context"
	"errors"
	"fmt"
	"github.com/richs/richsops/ops/host"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/backup"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/common/lineinput"
)

// RefreshEvery is the status interval while the tab is visible.
var RefreshEvery = 5 * time.Second

// statusBudget bounds one status read: each SQL statement has the
// configured timeout; this covers the whole read (disk, my.cnf over SSH).
const statusBudget = 30 * time.Second

type keys struct {
	Expire, Flush, Purge, PurgeBefore, Emergency, Backup, Refresh key.Binding
}

func newKeys(t func(en, ja string) string) keys {
	return keys{
		Expire:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", t("set expiry", "保持日数を設定"))),
		Flush:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", t("flush logs", "ログをフラッシュ"))),
		Purge:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", t("purge to selected", "選択まで削除"))),
		PurgeBefore: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", t("purge before time", "日時より前を削除"))),
		Emergency:   key.NewBinding(key.WithKeys("E"), key.WithHelp("E", t("emergency", "緊急手順"))),
		Backup:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", t("backup now", "バックアップ"))),
		Refresh:     key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", t("refresh", "再読込"))),
	}
}

// Messages.
type (
	statusMsg struct{ st *mysql.Status }
	tickMsg   struct{ gen int }
	planMsg   struct {
		action gate.Action
		err    error
	}
	progressMsg struct {
		p  backup.Progress
		ok bool
	}
)

type prompt int

const (
	noPrompt prompt = iota
	daysPrompt
	beforePrompt
)

// Tab is the Database tab.
type Tab struct {
	d      *common.Deps
	keys   keys
	nav    common.NavKeys
	db     *mysql.DB
	dbErr  error
	width  int
	height int

	active  bool
	gen     int // bumps on each activation: stale ticks are dropped
	loading bool
	status  *mysql.Status
	cursor  int // index into status.Binlogs

	prompt prompt
	input  lineinput.Model

	backingUp bool
	progCh    chan backup.Progress
	prog      backup.Progress
	bar       progress.Model

	lastTitle string
	lastLines []string
}

// New builds the Database tab.
func New(d *common.Deps) common.Tab {
	t := &Tab{d: d, keys: newKeys(d.T), nav: common.NewNavKeys(d.T), width: 80, height: 20}
	t.db, t.dbErr = mysql.FromConfig(d.Cfg, d.Hosts)
	t.input = lineinput.New()
	t.input.CharLimit = 40
	t.bar = progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())
	t.progCh = make(chan backup.Progress, 1)
	return t
}

func (t *Tab) Title() string   { return t.d.T("Database", "DB") }
func (t *Tab) Init() tea.Cmd   { return nil }
func (t *Tab) Capturing() bool { return t.prompt != noPrompt }
func (t *Tab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.bar.SetWidth(max(10, min(30, w-50)))
}

func (t *Tab) ShortHelp() []key.Binding {
	k := t.keys
	out := []key.Binding{t.nav.Up, t.nav.Down, k.Expire, k.Flush, k.Purge, k.Backup}
	if t.status != nil && t.status.Emergency {
		out = append(out, k.Emergency)
	}
	return out
}

func (t *Tab) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{t.nav.Up, t.nav.Down, t.nav.Top, t.nav.Bottom},
		{k.Expire, k.Flush, k.Purge, k.PurgeBefore},
		{k.Emergency, k.Backup, k.Refresh},
	}
}

// fetch reads the status in a Cmd; one at a time, so a hung server never
// piles up readers.
func (t *Tab) fetch() tea.Cmd {
	if t.db == nil || t.loading {
		return nil
	}
	t.loading = true
	db := t.db
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), statusBudget)
		defer cancel()
		return statusMsg{st: db.Status(ctx)}
	}
}

func (t *Tab) tick() tea.Cmd {
	gen := t.gen
	return tea.Tick(RefreshEvery, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// plan runs f (which asks the server or the disk) in a Cmd and turns the
// action into the confirm dialog, or the error into a toast.
func plan(f func(ctx context.Context) (gate.Action, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), statusBudget)
		defer cancel()
		a, err := f(ctx)
		return planMsg{action: a, err: err}
	}
}

// waitProgress delivers one progress report, or an empty one after a
// second so the Cmd always returns; re-armed while the backup runs.
func (t *Tab) waitProgress() tea.Cmd {
	ch := t.progCh
	return func() tea.Msg {
		select {
		case p := <-ch:
			return progressMsg{p: p, ok: true}
		case <-time.After(time.Second):
			return progressMsg{}
		}
	}
}

func (t *Tab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		t.active = msg.Active
		if !msg.Active {
			return t, nil
		}
		t.gen++
		return t, t.fetch()
	case tickMsg:
		if msg.gen != t.gen || !t.active {
			return t, nil
		}
		return t, t.fetch()
	case statusMsg:
		t.loading = false
		t.setStatus(msg.st)
		if t.active {
			return t, t.tick()
		}
		return t, nil
	case planMsg:
		if msg.err != nil {
			return t, common.Toast(msg.err.Error(), true)
		}
		return t, common.Confirm(msg.action)
	case progressMsg:
		if msg.ok {
			t.prog = msg.p
		}
		if t.backingUp {
			return t, t.waitProgress()
		}
		return t, nil
	case common.ActionStartedMsg:
		if msg.Action.Name == "db.backup" {
			t.backingUp, t.prog = true, backup.Progress{}
			return t, t.waitProgress()
		}
		return t, nil
	case common.ActionDoneMsg:
		r := msg.Result
		if !strings.HasPrefix(r.Action, "db.") {
			return t, nil
		}
		if r.Action == "db.backup" {
			t.backingUp = false
		}
		t.lastTitle = strings.TrimSpace(r.Action + " " + r.Target)
		t.lastLines = append([]string{}, r.Outcome.Details...)
		if r.Err != nil {
			t.lastLines = append(t.lastLines, strings.Split(t.d.ErrText(r.Err), "\n")...)
		}
		var cmds []tea.Cmd
		if t.active {
			cmds = append(cmds, t.fetch())
		}
		if r.Action == "db.expire" && r.Err == nil && t.db != nil {
			// The server applies a new expiry only at a rotation: offer it now.
			cmds = append(cmds, common.Confirm(t.db.Flush()))
		}
		return t, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		if t.prompt != noPrompt {
			return t, t.promptKey(msg)
		}
		return t, t.key(msg)
	}
	return t, nil
}

func (t *Tab) setStatus(st *mysql.Status) {
	prevActive := -1
	if t.status != nil && len(t.status.Binlogs) > 0 && t.cursor == len(t.status.Binlogs)-2 {
		prevActive = 1 // the cursor sat on the default purge target: keep it there
	}
	t.status = st
	n := len(st.Binlogs)
	switch {
	case n == 0:
		t.cursor = 0
	case t.cursor >= n || prevActive == 1 || t.cursor == 0 && n >= 2:
		t.cursor = max(0, n-2) // default purge target: keeps the active log and the one before
	}
}

func (t *Tab) key(msg tea.KeyPressMsg) tea.Cmd {
	k := t.keys
	n := 0
	if t.status != nil {
		n = len(t.status.Binlogs)
	}
	switch {
	case key.Matches(msg, t.nav.Up):
		t.cursor = max(0, t.cursor-1)
	case key.Matches(msg, t.nav.Down):
		t.cursor = min(max(0, n-1), t.cursor+1)
	case key.Matches(msg, t.nav.Top):
		t.cursor = 0
	case key.Matches(msg, t.nav.Bottom):
		t.cursor = max(0, n-1)
	case key.Matches(msg, k.Refresh):
		return t.fetch()
	case t.db == nil && (key.Matches(msg, k.Expire, k.Flush, k.Purge, k.PurgeBefore, k.Emergency)):
		return common.Toast(t.dbErr.Error(), true)
	case key.Matches(msg, k.Expire):
		t.startPrompt(daysPrompt, strconv.Itoa(max(t.d.Cfg.Database.ExpireDays, 1)))
	case key.Matches(msg, k.PurgeBefore):
		t.startPrompt(beforePrompt, "3d")
	case key.Matches(msg, k.Flush):
		return common.Confirm(t.db.Flush())
	case key.Matches(msg, k.Purge):
		if n == 0 {
			return common.Toast(t.d.T("no binary logs listed", "バイナリログがありません"), true)
		}
		to := t.status.Binlogs[t.cursor].Name
		db := t.db
		none := fmt.Sprintf(t.d.T("nothing before %s to purge", "%s より前に削除するログはありません"), to)
		return plan(func(ctx context.Context) (gate.Action, error) {
			p, err := db.PlanPurgeTo(ctx, to)
			if err == nil && len(p.Removes) == 0 {
				err = errors.New(none)
			}
			return db.Purge(p), err
		})
	case key.Matches(msg, k.Emergency):
		if t.status == nil || !t.status.Emergency {
			return common.Toast(t.d.T("the emergency path is only offered when the disk is full and the server cannot serve (an error reply means it is up)",
				"緊急手順はディスクが満杯でサーバーが処理できないときだけ使えます（エラー応答は稼働中です）"), true)
		}
		db := t.db
		return plan(func(ctx context.Context) (gate.Action, error) {
			p, err := db.PlanEmergency(ctx)
			return db.Emergency(p), err
		})
	case key.Matches(msg, k.Backup):
		if t.backingUp {
			return common.Toast(t.d.T("a backup is already running", "バックアップ実行中です"), true)
		}
		b := backup.FromConfig(t.d.Cfg)
		ch := t.progCh
		return plan(func(ctx context.Context) (gate.Action, error) {
			p, err := b.Plan(ctx)
			return b.Action(p, func(pr backup.Progress) {
				select { // latest wins; never block the dump
				case <-ch:
				default:
				}
				select {
				case ch <- pr:
				default:
				}
			}), err
		})
	}
	return nil
}

func (t *Tab) startPrompt(p prompt, value string) {
	t.prompt = p
	t.input.SetValue(value)
	t.input.CursorEnd()
	t.input.Focus()
}

func (t *Tab) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		t.prompt = noPrompt
		t.input.Blur()
		return nil
	case "enter":
		p, val := t.prompt, strings.TrimSpace(t.input.Value())
		t.prompt = noPrompt
		t.input.Blur()
		db := t.db
		if p == daysPrompt {
			days, err := strconv.Atoi(val)
			if err != nil {
				return common.Toast(t.d.T("days: a whole number, e.g. 1", "日数は整数で (例: 1)"), true)
			}
			return plan(func(ctx context.Context) (gate.Action, error) { return db.SetExpiry(ctx, days) })
		}
		at, err := mysql.ParseBefore(val, t.d.Now())
		if err != nil {
			return common.Toast(err.Error(), true)
		}
		none := fmt.Sprintf(t.d.T("no binary log older than %s", "%s より古いバイナリログはありません"), at.Format("2006-01-02 15:04"))
		return plan(func(ctx context.Context) (gate.Action, error) {
			p, err := db.PlanPurgeBefore(ctx, at)
			if err == nil && len(p.Removes) == 0 {
				err = errors.New(none)
			}
			return db.Purge(p), err
		})
	}
	var cmd tea.Cmd
	t.input, cmd = t.input.Update(msg)
	return cmd
}

// View draws the tab in t.width x t.height cells.
func (t *Tab) View() string {
	s := t.d.Styles
	w := max(20, t.width)
	var top []string
	title := s.Title.Render(t.d.T("Database", "データベース"))
	if !host.IsLocalName(t.d.Cfg.Database.Host) {
		title += s.Muted.Render(" @" + t.d.Cfg.Database.Host)
	}
	st := t.status
	switch {
	case t.db == nil:
		top = append(top, title, s.Crit.Render(t.dbErr.Error()))
		return strings.Join(top, "\n")
	case st == nil:
		top = append(top, title, s.Muted.Render(t.d.T("reading status…", "状態を取得中…")))
		return strings.Join(top, "\n")
	}
	if st.Server != nil {
		title += "  " + st.Server.Version + s.Muted.Render(" · "+t.d.T("up ", "稼働 ")+human.Duration(st.Server.Uptime))
	} else if st.Answers {
		title += "  " + s.Crit.Render(t.d.T("UP, ERROR: ", "稼働中・エラー: ")+sanitize.String(st.ServerErr))
	} else {
		title += "  " + s.Crit.Render(t.d.T("NOT ANSWERING: ", "応答なし: ")+sanitize.String(st.ServerErr))
	}
	stamp := st.At.Format("15:04:05")
	if t.loading {
		stamp = "…" + stamp
	}
	top = append(top, padRight(fit(title, w-lipgloss.Width(stamp)-1), w-lipgloss.Width(stamp)-1)+" "+s.Muted.Render(stamp))
	top = append(top, t.diskLine(w))
	if st.Emergency {
		top = append(top, s.Crit.Render(fit(t.d.T(
			fmt.Sprintf("EMERGENCY: disk ≥ %.0f%% and the server does not answer. E: remove the oldest binary log and restart", st.Threshold),
			fmt.Sprintf("緊急: ディスク %.0f%% 以上でサーバー応答なし。E で最古のバイナリログを削除して再起動", st.Threshold)), w)))
	}
	if n := len(st.IndexRefused); n > 0 {
		top = append(top, s.Warn.Render(fit(fmt.Sprintf(t.d.T("index: %d entries refused (never removed): %s", "インデックス: %d 件を拒否（削除しません）: %s"),
			n, sanitize.String(st.IndexRefused[0])), w)))
	}
	top = append(top, t.expiryLines(w)...)
	if t.backingUp || t.prog.Done {
		top = append(top, t.backupLine(w))
	}
	if t.prompt != noPrompt {
		label := t.d.T("expiry days: ", "保持日数: ")
		if t.prompt == beforePrompt {
			label = t.d.T("purge logs older than (2006-01-02 15:04 or 3d): ", "これより古いログを削除 (2006-01-02 15:04 / 3d): ")
		}
		top = append(top, s.Key.Render(label)+t.input.View()+s.Muted.Render("  enter/esc"))
	}
	var bottom []string
	if t.lastTitle != "" {
		bottom = append(bottom, s.Header.Render(t.d.T("last: ", "直前: ")+t.lastTitle))
		for _, l := range t.lastLines {
			bottom = append(bottom, fit("  "+sanitize.String(l), w))
		}
	}
	room := t.height - len(top) - 1
	maxBottom := max(0, room/3)
	if len(bottom) > maxBottom {
		bottom = append(bottom[:max(0, maxBottom-1)], s.Muted.Render(fit("  …", w)))
		if maxBottom == 0 {
			bottom = nil
		}
	}
	table := t.table(w, room-len(bottom))
	out := append(top, table...)
	out = append(out, bottom...)
	if len(out) > t.height && t.height > 0 {
		out = out[:t.height]
	}
	return strings.Join(out, "\n")
}

func (t *Tab) diskLine(w int) string {
	s, st := t.d.Styles, t.status
	if st.Disk == nil {
		return s.Crit.Render(fit(t.d.T("disk: ", "ディスク: ")+sanitize.String(st.DiskErr), w))
	}
	pct := st.Disk.Percent()
	sev := 0
	switch {
	case pct >= st.Threshold:
		sev = 2
	case pct >= t.d.Cfg.Thresholds.DiskWarnPercent:
		sev = 1
	}
	gw := max(10, min(30, w-60))
	filled := int(pct / 100 * float64(gw))
	filled = min(gw, max(0, filled))
	gauge := s.Level(sev).Render(strings.Repeat("█", filled)) + s.GaugeEmpty.Render(strings.Repeat("░", gw-filled))
	text := fmt.Sprintf(" %5.1f%%  %s %s / %s · %s %s (%.1f%%)", pct, t.d.T("free", "空き"),
		human.Bytes(int64(st.Disk.Free)), human.Bytes(int64(st.Disk.Total)), t.d.T("logs", "ログ"), human.Bytes(st.BinlogTotal), st.BinlogShare)
	return fit(s.Muted.Render(t.d.T("disk ", "ディスク "))+gauge+s.Level(sev).Render(text), w)
}

func (t *Tab) expiryLines(w int) []string {
	s, st := t.d.Styles, t.status
	line := t.d.T("expiry: ", "保持期間: ")
	if st.Server != nil {
		line += st.Server.Expiry.String()
	} else {
		line += "?"
	}
	out := []string{fit(line, w)}
	cnf := "my.cnf: "
	switch {
	case st.CnfErr != "":
		cnf += s.Warn.Render(sanitize.String(st.CnfErr))
	case len(st.CnfExpiry) == 0:
		cnf += s.Warn.Render(t.d.T("no expiry set (logs kept forever after a restart)", "未設定 (再起動後は無期限)"))
	default:
		var parts []string
		for _, c := range st.CnfExpiry {
			parts = append(parts, sanitize.String(fmt.Sprintf("%s = %s (%s:%d)", c.Key, c.Value, c.File, c.Line)))
		}
		cnf += strings.Join(parts, "; ")
	}
	return append(out, fit(cnf, w))
}

func (t *Tab) backupLine(w int) string {
	p := t.prog
	label := t.d.T("backup ", "バックアップ ")
	text := " " + p.String()
	if f := p.Fraction(); f >= 0 {
		return fit(label+t.bar.ViewAs(f)+text, w)
	}
	return fit(label+text, w)
}

// table is the binary log list with the cursor, scrolled to keep it seen.
func (t *Tab) table(w, rows int) []string {
	s, st := t.d.Styles, t.status
	if rows < 2 {
		return nil
	}
	head := fmt.Sprintf("  %-28s %10s", t.d.T("BINARY LOG", "バイナリログ"), t.d.T("SIZE", "サイズ"))
	head += fmt.Sprintf("   %d, %s", len(st.Binlogs), human.Bytes(st.BinlogTotal))
	out := []string{s.Header.Render(fit(head, w))}
	n := len(st.Binlogs)
	if n == 0 {
		return append(out, s.Muted.Render(t.d.T("  (none: binary logging off, or unreadable)", "  (なし)")))
	}
	vis := rows - 1
	start := 0
	if t.cursor >= vis {
		start = t.cursor - vis + 1
	}
	for i := start; i < n && i < start+vis; i++ {
		b := st.Binlogs[i]
		note := ""
		switch {
		case b.Active:
			note = t.d.T("active", "使用中")
		case i == t.cursor && i > 0:
			note = t.d.T(fmt.Sprintf("p: purge the %d before", i), fmt.Sprintf("p: これより前の %d 個を削除", i))
		}
		line := fmt.Sprintf("  %-28s %10s   %s", b.Name, human.Bytes(b.Size), note)
		line = fit(line, w)
		if i == t.cursor {
			line = s.Selected.Render(padRight(line, w))
		} else if b.Active {
			line = s.Info.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// fit cuts s to w cells.
func fit(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return truncateCells(s, w)
}

func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
