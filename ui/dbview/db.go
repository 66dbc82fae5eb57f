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
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
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

// forecastBudget bounds reading the forecast from the history database.
const forecastBudget = 10 * time.Second

// keys are the tab's bindings from the registry, and the global refresh.
type keys struct {
	common.DBKeys
	Refresh key.Binding
}

// Messages.
type (
	statusMsg struct {
		st *mysql.Status
		// the backups in [backup] dir, newest first (read with the status)
		backups    []backup.File
		backupsErr error
		// the datadir's forecast from the history database (read and
		// judged with the status); fcErr history.ErrNoDatabase when none
		fc    forecast.Result
		fcErr error
	}
	tickMsg     struct{ gen int }
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
	tbl    common.Table // the binary log list
	bkTbl  common.Table // the backup list
	db     *mysql.DB
	dbErr  error
	width  int
	height int

	timer      common.Refresher
	loading    bool
	status     *mysql.Status
	cursor     int // index into status.Binlogs
	backups    []backup.File
	backupsErr error
	fc         forecast.Result
	fcErr      error

	prompt prompt
	// promptErr is why the entered value was refused: the prompt stays
	// open with the text and this under it.
	promptErr string
	input     lineinput.Model

	dumps     string // which server a backup dumps (from the DSN and [backup] dump)
	backingUp bool
	progCh    chan backup.Progress
	prog      backup.Progress
	bar       progress.Model

	lastTitle string
	lastLines []string
}

// New builds the Database tab.
func New(d *common.Deps) common.Tab {
	t := &Tab{d: d, keys: keys{d.Keys().DB, d.Keys().Global.Refresh}, nav: d.Keys().Nav, width: 80, height: 20}
	t.db, t.dbErr = mysql.FromConfig(d.Cfg, d.Hosts)
	if t.db != nil { // the purge preview's backup: read on this machine, where the backups are
		t.db.LastBackup = backup.FromConfig(d.Cfg).ForPurge
	}
	t.input = lineinput.New()
	t.input.CharLimit = 40
	t.bar = progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())
	t.progCh = make(chan backup.Progress, 1)
	if c, err := backup.FromConfig(d.Cfg).Server(); err != nil {
		t.dumps = sanitize.String(err.Error())
	} else {
		t.dumps = sanitize.String(c.Describe(d.T))
	}
	return t
}

func (t *Tab) Title() string   { return t.d.T("Database", "DB") }
func (t *Tab) Init() tea.Cmd   { return nil }
func (t *Tab) Capturing() bool { return t.prompt != noPrompt }
func (t *Tab) SetSize(w, h int) {
	t.width, t.height = w, h
	t.bar.SetWidth(max(10, min(30, w-50)))
}

// serverDown: the last status says the server does not answer (or
// answers only with an error): expiry, flush and purge need it. A backup
// is left to its own check: its dump command may name another server.
func (t *Tab) serverDown() bool { return t.status != nil && t.status.Server == nil }

// downWhy is why the server's keys are hidden and refused while it is down.
func (t *Tab) downWhy() string {
	k := t.keys
	return fmt.Sprintf(t.d.T("no working connection to the server: %s %s %s %s need one", "サーバーに接続できません: %s %s %s %s は使えません"),
		k.Expire.Help().Key, k.Flush.Help().Key, k.Purge.Help().Key, k.PurgeBefore.Help().Key)
}

func (t *Tab) ShortHelp() []key.Binding {
	k := t.keys
	out := []key.Binding{t.nav.Up, t.nav.Down, k.Expire, k.Flush, k.Purge, k.Backup}
	if t.serverDown() {
		out = []key.Binding{t.nav.Up, t.nav.Down, k.Backup} // what cannot work is not offered (downWhy says why)
	}
	if t.status != nil && t.status.Emergency {
		out = append(out, k.Emergency)
	}
	return out
}

func (t *Tab) FullHelp() [][]key.Binding {
	return t.d.Keys().HelpColumns(common.TabDatabase, common.HelpRows)
}

// fetch reads the status in a Cmd; one at a time, so a hung server never
// piles up readers.
func (t *Tab) fetch() tea.Cmd {
	if t.db == nil || t.loading {
		return nil
	}
	t.loading = true
	db, cfg, now := t.db, t.d.Cfg, t.d.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), statusBudget)
		defer cancel()
		files, err := backup.List(cfg.Backup.Dir)
		msg := statusMsg{st: db.Status(ctx), backups: files, backupsErr: err}
		// Its own budget: a slow server must not leave it none.
		fctx, fcancel := context.WithTimeout(context.Background(), forecastBudget)
		defer fcancel()
		msg.fc, msg.fcErr = forecast.Judge(fctx, cfg, now(), "console")
		return msg
	}
}

func (t *Tab) tick() tea.Cmd {
	return t.timer.Tick(RefreshEvery, func(gen int) tea.Msg { return tickMsg{gen: gen} })
}

// plan builds an action that asks the server or the disk (common.Build)
// and proposes it.
func (t *Tab) plan(f func(ctx context.Context) (gate.Action, error)) tea.Cmd {
	return common.Build(statusBudget, f, t.d.Confirmed)
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
		t.timer.SetActive(msg.Active)
		if !msg.Active {
			return t, nil
		}
		return t, t.fetch()
	case tickMsg:
		if !t.timer.Due(msg.gen) {
			return t, nil
		}
		return t, t.fetch()
	case statusMsg:
		t.loading = false
		t.setStatus(msg.st)
		t.backups, t.backupsErr = msg.backups, msg.backupsErr
		t.fc, t.fcErr = msg.fc, msg.fcErr
		if t.timer.Active() {
			return t, t.tick()
		}
		return t, nil
	case progressMsg:
		if msg.ok && t.backingUp { // a report that arrives after the end is not shown again
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
			// The bar goes: the result's lines below say how it ended.
			t.backingUp, t.prog = false, backup.Progress{}
		}
		t.lastTitle = strings.TrimSpace(r.Action + " " + r.Target)
		t.lastLines = append([]string{}, r.Outcome.Details...)
		if r.Err != nil {
			t.lastLines = append(t.lastLines, strings.Split(t.d.ErrText(r.Err), "\n")...)
		}
		var cmds []tea.Cmd
		if t.timer.Active() {
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

// setStatus shows st, the cursor kept on the log it was on: on the first
// status, and while it sat on the default purge target (all but the active
// log and the one before), on that target; else on the same log by name,
// or when that one went (purged) on the next one still listed.
func (t *Tab) setStatus(st *mysql.Status) {
	prev, was := t.status, ""
	onDefault := prev == nil || len(prev.Binlogs) == 0
	if !onDefault && t.cursor < len(prev.Binlogs) {
		was = prev.Binlogs[t.cursor].Name
		onDefault = t.cursor == len(prev.Binlogs)-2
	}
	t.status = st
	n := len(st.Binlogs)
	t.cursor = max(0, n-2)
	if onDefault || was == "" {
		return
	}
	for i, b := range st.Binlogs {
		if !logBefore(b.Name, was) { // the same log, or the first after it
			t.cursor = i
			return
		}
	}
}

// logBefore: binary log a comes before b (one base name, a longer
// sequence number is a later one: mysql-bin.999999, mysql-bin.1000000).
func logBefore(a, b string) bool {
	return len(a) < len(b) || len(a) == len(b) && a < b
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
	case t.d.ReadOnly && key.Matches(msg, k.Expire):
		// Refused before the prompt: typing a value that cannot be used
		// would only waste the operator's time.
		return t.d.Refused("db.expire", "expire_logs_days", t.d.Cfg.Database.Host)
	case t.d.ReadOnly && key.Matches(msg, k.PurgeBefore):
		return t.d.Refused("db.purge", "binary logs", t.d.Cfg.Database.Host)
	case t.serverDown() && key.Matches(msg, k.Expire, k.Flush, k.Purge, k.PurgeBefore):
		return common.Toast(t.downWhy(), true)
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
		return t.plan(func(ctx context.Context) (gate.Action, error) {
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
		return t.plan(func(ctx context.Context) (gate.Action, error) {
			p, err := db.PlanEmergency(ctx)
			return db.Emergency(p), err
		})
	case key.Matches(msg, k.Backup):
		if t.backingUp {
			return common.Toast(t.d.T("a backup is already running", "バックアップ実行中です"), true)
		}
		b := backup.FromConfig(t.d.Cfg)
		ch := t.progCh
		return t.plan(func(ctx context.Context) (gate.Action, error) {
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
	t.prompt, t.promptErr = p, ""
	t.input.SetValue(value)
	t.input.CursorEnd()
	t.input.Focus()
}

func (t *Tab) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		t.closePrompt()
		return nil
	case "enter":
		p, val := t.prompt, strings.TrimSpace(t.input.Value())
		db := t.db
		if p == daysPrompt {
			days, err := strconv.Atoi(val)
			if err != nil {
				t.promptErr = t.d.T("days: a whole number, e.g. 1", "日数は整数で (例: 1)")
				return nil
			}
			t.closePrompt()
			return t.plan(func(ctx context.Context) (gate.Action, error) { return db.SetExpiry(ctx, days) })
		}
		at, err := mysql.ParseBefore(val, t.d.Now())
		if err != nil {
			t.promptErr = t.d.ErrText(err)
			return nil
		}
		t.closePrompt()
		none := fmt.Sprintf(t.d.T("no binary log older than %s", "%s より古いバイナリログはありません"), at.Format("2006-01-02 15:04"))
		return t.plan(func(ctx context.Context) (gate.Action, error) {
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

func (t *Tab) closePrompt() {
	t.prompt, t.promptErr = noPrompt, ""
	t.input.Blur()
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
		title += "  " + st.Server.Version + s.Muted.Render(" · "+t.d.T("up ", "稼働 ")+human.DurationT(t.d.T, st.Server.Uptime))
	} else if st.Answers {
		title += "  " + s.Crit.Render(t.d.T("UP, ERROR: ", "稼働中・エラー: ")+sanitize.String(st.ServerErr))
	} else {
		title += "  " + s.Crit.Render(t.d.T("NOT ANSWERING: ", "応答なし: ")+sanitize.String(st.ServerErr))
	}
	stamp := st.At.Format("15:04:05")
	if t.loading {
		stamp = "…" + stamp
	}
	top = append(top, common.Pad(common.Cut(title, w-lipgloss.Width(stamp)-1), w-lipgloss.Width(stamp)-1)+" "+s.Muted.Render(stamp))
	top = append(top, t.diskLine(w))
	top = append(top, t.forecastLines(w)...)
	if st.Emergency {
		top = append(top, s.Crit.Render(common.Cut(t.d.T(
			fmt.Sprintf("EMERGENCY: disk ≥ %s and the server does not answer. %s: remove the oldest binary log and restart", human.Limit(st.Threshold), t.keys.Emergency.Help().Key),
			fmt.Sprintf("緊急: ディスク %s 以上でサーバー応答なし。%s で最古のバイナリログを削除して再起動", human.Limit(st.Threshold), t.keys.Emergency.Help().Key)), w)))
	}
	if n := len(st.IndexRefused); n > 0 {
		top = append(top, s.Warn.Render(common.Cut(fmt.Sprintf(t.d.T("index: %d entries refused (never removed): %s", "インデックス: %d 件を拒否（削除しません）: %s"),
			n, sanitize.String(st.IndexRefused[0])), w)))
	}
	top = append(top, t.expiryLines(w)...)
	top = append(top, s.Muted.Render(common.Cut(t.d.T("backup dumps ", "バックアップ対象: ")+t.dumps, w)))
	if t.backingUp {
		top = append(top, t.backupLine(w))
	}
	if t.prompt != noPrompt {
		label := t.d.T("expiry days: ", "保持日数: ")
		if t.prompt == beforePrompt {
			// A real time as the example: three days ago, as "3d" says.
			ex := t.d.Now().AddDate(0, 0, -3).Format("2006-01-02 15:04")
			label = fmt.Sprintf(t.d.T("purge logs older than (%s or 3d): ", "これより古いログを削除 (%s / 3d): "), ex)
		}
		top = append(top, s.Key.Render(label)+t.input.View()+s.Muted.Render("  enter/esc"))
		if t.promptErr != "" {
			top = append(top, s.Crit.Render(common.Cut(sanitize.String(t.promptErr), w)))
		}
	}
	var bottom []string
	if t.lastTitle != "" {
		bottom = append(bottom, s.Header.Render(t.d.T("last: ", "直前: ")+t.lastTitle))
		for _, l := range t.lastLines {
			bottom = append(bottom, common.Cut("  "+sanitize.String(l), w))
		}
	}
	room := t.height - len(top) - 1
	maxBottom := max(0, room/3)
	if len(bottom) > maxBottom {
		bottom = append(bottom[:max(0, maxBottom-1)], s.Muted.Render(common.Cut("  …", w)))
		if maxBottom == 0 {
			bottom = nil
		}
	}
	// The backups get up to a third of what is left, the binary logs the rest.
	bk := t.backupTable(w, min(max(1, len(t.backups))+1, max(2, (room-len(bottom))/3)))
	table := t.table(w, room-len(bottom)-len(bk))
	out := append(top, table...)
	out = append(out, bk...)
	out = append(out, bottom...)
	if len(out) > t.height && t.height > 0 {
		out = out[:t.height]
	}
	return strings.Join(out, "\n")
}

func (t *Tab) diskLine(w int) string {
	s, st := t.d.Styles, t.status
	if st.Disk == nil {
		return s.Crit.Render(common.Cut(t.d.T("disk: ", "ディスク: ")+sanitize.String(st.DiskErr), w))
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
	return common.Cut(s.Muted.Render(t.d.T("disk ", "ディスク "))+gauge+s.Level(sev).Render(text), w)
}

// forecastLines are the datadir's "full in about N h" from the history
// database and, while it fills and the server answers, the default purge
// worked out against it. Nothing without a history database (the
// Overview says how to start the watch service that records it).
func (t *Tab) forecastLines(w int) []string {
	s := t.d.Styles
	label := s.Muted.Render(t.d.T("forecast ", "予測 "))
	if errors.Is(t.fcErr, history.ErrNoDatabase) {
		return nil
	}
	if t.fcErr != nil {
		return []string{common.Cut(label+s.Warn.Render(sanitize.String(t.fcErr.Error())), w)}
	}
	f, ok := t.fc.DiskOn(forecast.DiskDatadir, t.db.Host.Name())
	if !ok {
		return nil
	}
	sev := 0
	switch f.Level {
	case forecast.LevelWarn:
		sev = 1
	case forecast.LevelCrit:
		sev = 2
	}
	out := []string{common.Cut(label+s.Level(sev).Render(f.Text(t.d.T, t.fc.At)), w)}
	if t.fc.RecordErr != "" {
		out = append(out, common.Cut(label+s.Warn.Render(t.d.T("level not recorded: ", "レベルを記録できません: ")+sanitize.String(t.fc.RecordErr)), w))
	}
	if st := t.status; f.Filling() && st.Server != nil {
		if p, ok := forecast.PlanPurge(st.Binlogs, f); ok {
			// The fix with its key first, so that a narrow screen keeps both.
			out = append(out, common.Cut(s.Key.Render(t.keys.Purge.Help().Key)+" "+p.Text(t.d.T), w))
		}
	}
	return out
}

func (t *Tab) expiryLines(w int) []string {
	s, st := t.d.Styles, t.status
	line := t.d.T("expiry: ", "保持期間: ")
	if st.Server != nil {
		line += st.Server.Expiry.String()
	} else {
		line += "? " + s.Warn.Render("("+t.downWhy()+")")
	}
	out := []string{common.Cut(line, w)}
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
	return append(out, common.Cut(cnf, w))
}

func (t *Tab) backupLine(w int) string {
	p := t.prog
	label := t.d.T("backup ", "バックアップ ")
	text := " " + p.String()
	if f := p.Fraction(); f >= 0 {
		return common.Cut(label+t.bar.ViewAs(f)+text, w)
	}
	return common.Cut(label+text, w)
}

// backupTable is the backups of [backup] dir, newest first: name, size,
// age and whether it was verified (a finished one was, when written; a
// partial one not), in rows lines (header included).
func (t *Tab) backupTable(w, rows int) []string {
	s := t.d.Styles
	if t.backupsErr != nil {
		return []string{s.Warn.Render(common.Cut(t.d.T("backups: ", "バックアップ: ")+sanitize.String(t.backupsErr.Error()), w))}
	}
	if rows < 2 {
		return nil
	}
	nameW := 28
	for _, f := range t.backups {
		nameW = max(nameW, common.Width(f.Name))
	}
	t.bkTbl.Columns = []common.Column{
		{Title: t.d.T("BACKUP", "バックアップ"), Width: min(nameW, 40)},
		{Title: t.d.T("SIZE", "サイズ"), Width: 10, Right: true},
		{Title: t.d.T("AGE", "経過"), Width: 12},
		{Title: t.d.T("VERIFIED", "検証"), Width: 8},
		{Title: t.d.T("BINLOG POSITION", "バイナリログ位置"), Width: 16, Flex: true},
	}
	if len(t.backups) == 0 {
		return []string{t.bkTbl.Header(s, w), s.Muted.Render(common.Cut(t.d.T("  (none yet in ", "  (まだありません: ")+sanitize.String(t.d.Cfg.Backup.Dir)+")", w))}
	}
	now := t.d.Now()
	cells := make([][]string, 0, len(t.backups))
	for _, f := range t.backups {
		ok := s.OK.Render(t.d.T("yes", "済"))
		if !f.Verified {
			ok = s.Warn.Render(t.d.T("no", "未"))
		}
		cells = append(cells, []string{sanitize.String(f.Name), human.Bytes(f.Size), human.AgoT(t.d.T, f.At, now), ok, t.positionCell(f)})
	}
	return t.bkTbl.Lines(s, cells, -1, w, rows)
}

// positionCell is where in the binary logs a backup was taken: what a
// purge must not go past to keep point-in-time recovery from it.
func (t *Tab) positionCell(f backup.File) string {
	s := t.d.Styles
	switch {
	case f.Binlog != nil:
		return sanitize.String(f.Binlog.String())
	case f.MetaErr != "":
		return s.Warn.Render(t.d.T("unreadable: ", "読めません: ") + sanitize.String(f.MetaErr))
	case !f.Verified:
		return s.Warn.Render(t.d.T("partial: running or crashed", "途中（書き込み中か中断）"))
	}
	return s.Muted.Render(t.d.T("none", "なし"))
}

// table is the binary log list with the cursor, scrolled to keep it seen.
func (t *Tab) table(w, rows int) []string {
	s, st := t.d.Styles, t.status
	if rows < 2 {
		return nil
	}
	t.tbl.Columns = []common.Column{
		{Title: t.d.T("BINARY LOG", "バイナリログ"), Width: 28},
		{Title: t.d.T("SIZE", "サイズ"), Width: 10, Right: true},
		{Title: fmt.Sprintf("  %d, %s", len(st.Binlogs), human.Bytes(st.BinlogTotal)), Width: 10, Flex: true},
	}
	n := len(st.Binlogs)
	if n == 0 {
		return []string{t.tbl.Header(s, w), s.Muted.Render(t.d.T("  (none: binary logging off, or unreadable)", "  (なし)"))}
	}
	cells := make([][]string, 0, n)
	for i, b := range st.Binlogs {
		name, size, note := sanitize.String(b.Name), human.Bytes(b.Size), ""
		switch {
		case b.Active:
			note = t.d.T("active", "使用中")
			name, size, note = s.Info.Render(name), s.Info.Render(size), s.Info.Render(note)
		case i == t.cursor && i > 0 && st.Server != nil: // a purge needs the server
			p := t.keys.Purge.Help().Key
			note = t.d.T(fmt.Sprintf("%s: purge the %d before", p, i), fmt.Sprintf("%s: これより前の %d 個を削除", p, i))
		}
		cells = append(cells, []string{name, size, "  " + note})
	}
	return t.tbl.Lines(s, cells, t.cursor, w, rows)
}
