package common

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// The key registry: every binding of the console is declared in this file,
// grouped as the app and each tab use them, with its help in English and
// Japanese. A key means the same kind of thing on every tab (Groups names
// the meaning of each binding, and a test holds them to one meaning per
// key): ctrl+r refreshes everywhere, l opens a log, p pauses, and the verbs
// that stop or remove something are capitals or go through the confirm
// dialog (every change does).

// GlobalKeys are the app-wide bindings; no tab reuses them.
type GlobalKeys struct {
	Quit, Help, NextTab, PrevTab, Tab1, Tab2, Tab3, Tab4, Tab5, Mouse key.Binding
	// Host opens the host picker.
	Host key.Binding
	// Refresh re-reads what the visible tab shows; the tabs handle it.
	Refresh key.Binding
}

// NavKeys are the movement bindings every tab shares.
type NavKeys struct {
	Up, Down, Top, Bottom, PgUp, PgDown, Enter, Back key.Binding
}

// OverviewKeys are the Overview tab's own bindings.
type OverviewKeys struct {
	Act, Clean, Log, Run key.Binding
}

// JobsKeys are the Jobs tab's own bindings.
type JobsKeys struct {
	Run, Force, Override, Kill, KillAll, Pause, Log key.Binding
}

// LogsKeys are the Logs tab's own bindings.
type LogsKeys struct {
	Picker, Close, NextPane, PrevPane, Layout, Zoom, Pause key.Binding
	Top, Bottom                                            key.Binding
	Search, Next, Prev, Filter, FilterRe, Context, Clear   key.Binding
	NextErr, PrevErr, Wrap, Save, Copy, PickerToggle       key.Binding
}

// DBKeys are the Database tab's own bindings.
type DBKeys struct {
	Expire, Flush, Purge, PurgeBefore, Emergency, Backup key.Binding
}

// ServicesKeys are the Services tab's own bindings.
type ServicesKeys struct {
	Start, Stop, Restart, Reload, RedisThenIndex, Log key.Binding
}

// Keys is the whole registry, with labels in one language.
type Keys struct {
	Global   GlobalKeys
	Nav      NavKeys
	Overview OverviewKeys
	Jobs     JobsKeys
	Logs     LogsKeys
	DB       DBKeys
	Services ServicesKeys
}

func bind(keys []string, shown, help string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, help))
}

func k(s ...string) []string { return s }

// NewKeys builds the registry with labels in the language.
func NewKeys(t func(en, ja string) string) *Keys {
	return &Keys{
		Global: GlobalKeys{
			Quit:    bind(k("q", "ctrl+c"), "q", t("quit", "終了")),
			Help:    bind(k("?"), "?", t("help", "ヘルプ")),
			NextTab: bind(k("tab"), "tab", t("next tab", "次のタブ")),
			PrevTab: bind(k("shift+tab"), "S-tab", t("prev tab", "前のタブ")),
			Tab1:    bind(k("1"), "1-5", t("tabs", "タブ")),
			Tab2:    key.NewBinding(key.WithKeys("2")),
			Tab3:    key.NewBinding(key.WithKeys("3")),
			Tab4:    key.NewBinding(key.WithKeys("4")),
			Tab5:    key.NewBinding(key.WithKeys("5")),
			Mouse:   bind(k("M"), "M", t("mouse on/off", "マウス切替")),
			Host:    bind(k("H"), "H", t("host", "ホスト")),
			Refresh: bind(k("ctrl+r"), "C-r", t("refresh", "再読込")),
		},
		Nav: NavKeys{
			Up:     bind(k("up", "k"), "↑/k", t("up", "上")),
			Down:   bind(k("down", "j"), "↓/j", t("down", "下")),
			Top:    bind(k("g", "home"), "g", t("top", "先頭")),
			Bottom: bind(k("G", "end"), "G", t("bottom", "末尾")),
			PgUp:   bind(k("pgup", "ctrl+u"), "pgup", t("page up", "前ページ")),
			PgDown: bind(k("pgdown", "ctrl+d"), "pgdn", t("page down", "次ページ")),
			Enter:  bind(k("enter"), "enter", t("details", "詳細")),
			Back:   bind(k("esc"), "esc", t("back", "戻る")),
		},
		Overview: OverviewKeys{
			Act:   bind(k("enter"), "enter", t("act on item", "項目を処理")),
			Clean: bind(k("C"), "C", t("clean tmp", "tmp 掃除")),
			Log:   bind(k("l"), "l", t("access log", "アクセスログ")),
			Run:   bind(k("R"), "R", t("run missed now", "抜けた実行を今すぐ")),
		},
		Jobs: JobsKeys{
			Run:      bind(k("R"), "R", t("run now", "今すぐ実行")),
			Force:    bind(k("A"), "A", t("run another instance", "重複実行")),
			Override: bind(k("O"), "O", t("run despite guard/block", "ガード・ブロック無視で実行")),
			Kill:     bind(k("x"), "x", t("kill process", "プロセス停止")),
			KillAll:  bind(k("X"), "X", t("kill all of job", "全プロセス停止")),
			Pause:    bind(k("p"), "p", t("pause/resume cron", "cron 停止/再開")),
			Log:      bind(k("l"), "l", t("open log", "ログを開く")),
		},
		Logs: LogsKeys{
			Picker:   bind(k("o"), "o", t("open/close logs", "ログ選択")),
			Close:    bind(k("ctrl+w"), "C-w", t("close pane", "ペインを閉じる")),
			NextPane: bind(k("right", "]"), "→/]", t("next pane", "次のペイン")),
			PrevPane: bind(k("left", "["), "←/[", t("prev pane", "前のペイン")),
			Layout:   bind(k("L"), "L", t("side by side/stacked/grid", "横並び/縦積み/格子")),
			Zoom:     bind(k("z"), "z", t("full screen", "全画面")),
			Pause:    bind(k("space", "p"), "space/p", t("pause/follow", "一時停止/追従")),
			Top:      bind(k("g", "home"), "g", t("top (load more)", "先頭（さらに読込）")),
			Bottom:   bind(k("G", "end"), "G", t("bottom, follow", "末尾・追従")),
			Search:   bind(k("/"), "/", t("search", "検索")),
			Next:     bind(k("n"), "n/N", t("next/prev match", "次/前の一致")),
			Prev:     key.NewBinding(key.WithKeys("N")),
			Filter:   bind(k("f"), "f", t("filter", "絞込")),
			FilterRe: bind(k("F"), "F", t("filter regexp", "正規表現で絞込")),
			Context:  bind(k("c"), "c", t("context lines 0/2/5", "前後の行 0/2/5")),
			Clear:    bind(k("esc"), "esc", t("clear search/filter", "検索・絞込解除")),
			NextErr:  bind(k("e"), "e/E", t("next/prev ERROR", "次/前のERROR")),
			PrevErr:  key.NewBinding(key.WithKeys("E")),
			Wrap:     bind(k("w"), "w", t("wrap/cut", "折返し/切詰め")),
			Save:     bind(k("ctrl+s"), "C-s", t("save shown lines", "表示行を保存")),
			Copy:     bind(k("y"), "y", t("copy line (OSC 52)", "行をコピー")),

			PickerToggle: bind(k("enter"), "enter", t("open/close", "開く/閉じる")),
		},
		DB: DBKeys{
			Expire:      bind(k("D"), "D", t("set expiry days", "保持日数を設定")),
			Flush:       bind(k("+"), "+", t("flush logs", "ログをフラッシュ")),
			Purge:       bind(k("P"), "P", t("purge to selected", "選択まで削除")),
			PurgeBefore: bind(k("T"), "T", t("purge before time", "日時より前を削除")),
			Emergency:   bind(k("!"), "!", t("emergency", "緊急手順")),
			Backup:      bind(k("b"), "b", t("backup now", "バックアップ")),
		},
		Services: ServicesKeys{
			Start:          bind(k("s"), "s", t("start", "起動")),
			Stop:           bind(k("S"), "S", t("stop", "停止")),
			Restart:        bind(k("R"), "R", t("restart", "再起動")),
			Reload:         bind(k("u"), "u", t("reload", "リロード")),
			RedisThenIndex: bind(k("i"), "i", t("Redis→index-linux", "Redis→index-linux 再起動")),
			Log:            bind(k("l"), "l", t("log", "ログ")),
		},
	}
}

// NewGlobalKeys is the registry's global bindings.
func NewGlobalKeys(t func(en, ja string) string) GlobalKeys { return NewKeys(t).Global }

// NewNavKeys is the registry's movement bindings.
func NewNavKeys(t func(en, ja string) string) NavKeys { return NewKeys(t).Nav }

// Entry is one binding of the registry and the kind of thing it does.
type Entry struct {
	Meaning string
	Binding key.Binding
}

// Group is the bindings of the app (Tab -1) or of one tab, in help order.
type Group struct {
	Tab     int
	Entries []Entry
}

// Bindings are the group's bindings, for help.
func (g Group) Bindings() []key.Binding {
	out := make([]key.Binding, 0, len(g.Entries))
	for _, e := range g.Entries {
		out = append(out, e.Binding)
	}
	return out
}

// Groups lists every binding of the registry with its meaning. The Tab of
// the global and movement groups is -1.
func (r *Keys) Groups() []Group {
	e := func(meaning string, b key.Binding) Entry { return Entry{meaning, b} }
	g, n := r.Global, r.Nav
	o, j, l, d, s := r.Overview, r.Jobs, r.Logs, r.DB, r.Services
	return []Group{
		{-1, []Entry{e("tab", g.Tab1), e("tab", g.Tab2), e("tab", g.Tab3), e("tab", g.Tab4), e("tab", g.Tab5),
			e("next tab", g.NextTab), e("prev tab", g.PrevTab), e("host", g.Host), e("refresh", g.Refresh),
			e("mouse", g.Mouse), e("help", g.Help), e("quit", g.Quit)}},
		{-1, []Entry{e("up", n.Up), e("down", n.Down), e("top", n.Top), e("bottom", n.Bottom),
			e("page up", n.PgUp), e("page down", n.PgDown), e("enter", n.Enter), e("back", n.Back)}},
		{TabOverview, []Entry{e("enter", o.Act), e("clean", o.Clean), e("log", o.Log), e("run", o.Run)}},
		{TabJobs, []Entry{e("run", j.Run), e("run", j.Force), e("run", j.Override), e("kill", j.Kill), e("kill all", j.KillAll),
			e("pause", j.Pause), e("log", j.Log)}},
		{TabLogs, []Entry{e("picker", l.Picker), e("close", l.Close), e("next pane", l.NextPane), e("prev pane", l.PrevPane),
			e("layout", l.Layout), e("zoom", l.Zoom), e("pause", l.Pause), e("top", l.Top), e("bottom", l.Bottom),
			e("search", l.Search), e("next match", l.Next), e("prev match", l.Prev), e("filter", l.Filter), e("filter", l.FilterRe),
			e("context", l.Context), e("back", l.Clear), e("next error", l.NextErr), e("prev error", l.PrevErr),
			e("wrap", l.Wrap), e("save", l.Save), e("copy", l.Copy), e("enter", l.PickerToggle)}},
		{TabDatabase, []Entry{e("expiry", d.Expire), e("flush", d.Flush), e("purge", d.Purge), e("purge", d.PurgeBefore),
			e("emergency", d.Emergency), e("backup", d.Backup)}},
		{TabServices, []Entry{e("start", s.Start), e("stop", s.Stop), e("run", s.Restart), e("reload", s.Reload),
			e("run", s.RedisThenIndex), e("log", s.Log)}},
	}
}

// HelpColumns is the full help of a tab from the registry: the tab's own
// bindings, then the movement keys, in columns of at most rows bindings
// (the app adds the global group). Bindings without help are left out.
func (r *Keys) HelpColumns(tab, rows int) [][]key.Binding {
	var own []key.Binding
	for _, g := range r.Groups() {
		if g.Tab == tab {
			own = g.Bindings()
		}
	}
	return append(columns(own, rows), columns(r.Groups()[1].Bindings(), rows)...)
}

// GlobalHelp is the app-wide bindings in columns of at most rows.
func (r *Keys) GlobalHelp(rows int) [][]key.Binding {
	return columns(r.Groups()[0].Bindings(), rows)
}

func columns(bs []key.Binding, rows int) [][]key.Binding {
	var out [][]key.Binding
	var col []key.Binding
	for _, b := range bs {
		if b.Help().Key == "" {
			continue
		}
		if len(col) == rows {
			out, col = append(out, col), nil
		}
		col = append(col, b)
	}
	if len(col) > 0 {
		out = append(out, col)
	}
	return out
}

// HelpRows is how many bindings a column of the full help holds.
const HelpRows = 6

// Changes are the bindings that propose a change (each goes through the
// confirm dialog and the gate): read-only mode refuses them, and the bottom
// bar greys them then.
func (r *Keys) Changes() []key.Binding {
	o, j, d, s := r.Overview, r.Jobs, r.DB, r.Services
	return []key.Binding{o.Clean, o.Run, j.Run, j.Force, j.Override, j.Kill, j.KillAll, j.Pause,
		d.Expire, d.Flush, d.Purge, d.PurgeBefore, d.Emergency, d.Backup,
		s.Start, s.Stop, s.Restart, s.Reload, s.RedisThenIndex}
}

// IsChange reports whether b is one of Changes (the same keys and help).
func (r *Keys) IsChange(b key.Binding) bool {
	for _, c := range r.Changes() {
		if b.Help() == c.Help() && slices.Equal(b.Keys(), c.Keys()) {
			return true
		}
	}
	return false
}
