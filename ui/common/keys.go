package common

import "charm.land/bubbles/v2/key"

// GlobalKeys are the app-wide bindings; tabs declare theirs in their own
// keys (as key.Binding fields) and must not reuse these.
type GlobalKeys struct {
	Quit, Help, NextTab, PrevTab, Tab1, Tab2, Tab3, Tab4, Tab5, Mouse, Refresh key.Binding
	// Host opens the host picker.
	Host key.Binding
}

// NewGlobalKeys builds the global bindings with labels in the language.
func NewGlobalKeys(t func(en, ja string) string) GlobalKeys {
	return GlobalKeys{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", t("quit", "終了"))),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", t("help", "ヘルプ"))),
		NextTab: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", t("next tab", "次のタブ"))),
		PrevTab: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("S-tab", t("prev tab", "前のタブ"))),
		Tab1:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1-5", t("tabs", "タブ"))),
		Tab2:    key.NewBinding(key.WithKeys("2")),
		Tab3:    key.NewBinding(key.WithKeys("3")),
		Tab4:    key.NewBinding(key.WithKeys("4")),
		Tab5:    key.NewBinding(key.WithKeys("5")),
		Mouse:   key.NewBinding(key.WithKeys("M"), key.WithHelp("M", t("mouse on/off", "マウス切替"))),
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("C-r", t("refresh", "再読込"))),
		Host:    key.NewBinding(key.WithKeys("H"), key.WithHelp("H", t("host", "ホスト"))),
	}
}

// NavKeys are the movement bindings every tab shares, declared once so
// every tab uses the same keys.
type NavKeys struct {
	Up, Down, Top, Bottom, PgUp, PgDown, Enter, Back key.Binding
}

// NewNavKeys builds the shared movement bindings with labels in the language.
func NewNavKeys(t func(en, ja string) string) NavKeys {
	return NavKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", t("up", "上"))),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", t("down", "下"))),
		Top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", t("top", "先頭"))),
		Bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", t("bottom", "末尾"))),
		PgUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", t("page up", "前ページ"))),
		PgDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", t("page down", "次ページ"))),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", t("details", "詳細"))),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", t("back", "戻る"))),
	}
}
