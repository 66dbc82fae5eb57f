// Package uitest is what the UI packages' tests share: key messages by
// name, the check that a view fits the size it was given, and lipgloss put
// in a colour profile for one test.
package uitest

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// named are the keys the tests press by name (as bubbletea names them).
var named = map[string]tea.KeyMsg{
	"enter":     {Type: tea.KeyEnter},
	"esc":       {Type: tea.KeyEsc},
	"tab":       {Type: tea.KeyTab},
	"shift+tab": {Type: tea.KeyShiftTab},
	"up":        {Type: tea.KeyUp},
	"down":      {Type: tea.KeyDown},
	"space":     {Type: tea.KeySpace, Runes: []rune{' '}},
	"backspace": {Type: tea.KeyBackspace},
}

// Key is the message of the key called name; any other string is typed
// as runes ("q", "OVERRIDE").
func Key(name string) tea.KeyMsg {
	if k, ok := named[name]; ok {
		return k
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
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

// Colors puts lipgloss in colour profile p on a dark or light background
// until the test ends.
func Colors(t testing.TB, p termenv.Profile, dark bool) {
	oldP, oldDark := lipgloss.ColorProfile(), lipgloss.HasDarkBackground()
	lipgloss.SetColorProfile(p)
	lipgloss.SetHasDarkBackground(dark)
	t.Cleanup(func() {
		lipgloss.SetColorProfile(oldP)
		lipgloss.SetHasDarkBackground(oldDark)
	})
}
