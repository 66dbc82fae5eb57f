package common

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// InfoTab is a read-only scrollable page of lines. Tabs use it for a
// screen that only shows what is configured.
type InfoTab struct {
	title string
	nav   NavKeys
	vp    viewport.Model
}

// NewInfoTab shows lines under a title; t picks the labels' language.
func NewInfoTab(title string, lines []string, t func(en, ja string) string) *InfoTab {
	vp := viewport.New(80, 20)
	vp.SetContent(strings.Join(lines, "\n"))
	return &InfoTab{title: title, nav: NewNavKeys(t), vp: vp}
}

func (t *InfoTab) Title() string            { return t.title }
func (t *InfoTab) Init() tea.Cmd            { return nil }
func (t *InfoTab) View() string             { return t.vp.View() }
func (t *InfoTab) SetSize(w, h int)         { t.vp.Width, t.vp.Height = w, h }
func (t *InfoTab) ShortHelp() []key.Binding { return []key.Binding{t.nav.Up, t.nav.Down} }
func (t *InfoTab) FullHelp() [][]key.Binding {
	return [][]key.Binding{{t.nav.Up, t.nav.Down, t.nav.PgUp, t.nav.PgDown}}
}
func (t *InfoTab) Capturing() bool { return false }
func (t *InfoTab) Update(msg tea.Msg) (Tab, tea.Cmd) {
	var cmd tea.Cmd
	t.vp, cmd = t.vp.Update(msg)
	return t, cmd
}
