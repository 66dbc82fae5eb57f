package common

import "github.com/charmbracelet/bubbles/key"

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

// Common tab bindings, declared once so every tab uses the same keys.
var (
	KeyUp     = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	KeyDown   = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	KeyTop    = key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top"))
	KeyBottom = key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom"))
	KeyPgUp   = key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up"))
	KeyPgDown = key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down"))
	KeyEnter  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details"))
	KeyBack   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
)
