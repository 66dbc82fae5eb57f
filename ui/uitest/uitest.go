// Package uitest is what the UI packages' tests share: key messages by
// name, the check that a view fits the size it was given, and a view
// without its colours.
package uitest

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// named are the keys the tests press by name (as bubbletea names them).
var named = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"tab":       {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"space":     {Code: tea.KeySpace, Text: " "},
	"backspace": {Code: tea.KeyBackspace},
}

// Key is the message of the key called name ("ctrl+r" too); any other
// string is typed as runes ("q", "OVERRIDE").
func Key(name string) tea.KeyPressMsg {
	if k, ok := named[name]; ok {
		return k
	}
	if r := []rune(name); len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: name}
	}
	if r := []rune(strings.TrimPrefix(name, "ctrl+")); len(r) == 1 && strings.HasPrefix(name, "ctrl+") {
		return tea.KeyPressMsg{Code: r[0], Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: tea.KeyExtended, Text: name}
}

// Messages runs cmd and every Cmd of the batches it returns; it returns
// the leaf messages.
func Messages(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, Messages(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// Fits fails t when view has more than h lines or a line wider than w
// cells.
func Fits(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d lines, want at most %d", len(lines), h)
	}
	for _, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line wider than %d: %q", w, ansi.Strip(l))
		}
	}
}

// sgr is a Select Graphic Rendition sequence: colours and attributes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// Plain is view as a terminal without colours shows it: lipgloss v2 always
// renders in full colour (Bubble Tea reduces it for the terminal), so the
// golden screens, plain text, drop the SGR sequences. Any other escape
// sequence stays, for the tests that look for ones from the box.
func Plain(view string) string { return sgr.ReplaceAllString(view, "") }
