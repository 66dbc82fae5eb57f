// Package uitest is what the UI packages' tests share: key messages by
// name, the check that a view fits the size it was given, a view without
// its colours, and the golden screens of every tab.
package uitest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
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

// ScreenSizes are the terminals every tab has golden screens at: the
// smallest the console supports and a common large one.
var ScreenSizes = [][2]int{{80, 24}, {120, 40}}

// Screens runs f as one subtest per golden screen: each of ScreenSizes in
// English and in Japanese, named like 80x24_en.
func Screens(t *testing.T, f func(t *testing.T, w, h int, lang string)) {
	for _, size := range ScreenSizes {
		for _, lang := range []string{"en", "ja"} {
			t.Run(fmt.Sprintf("%dx%d_%s", size[0], size[1], lang), func(t *testing.T) { f(t, size[0], size[1], lang) })
		}
	}
}

// Screen sizes m to w x h, sends it msgs in turn without running the Cmds
// they return (nothing reaches the box), and returns its screen.
func Screen(m tea.Model, w, h int, msgs ...tea.Msg) string {
	m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m.View().Content
}

// Golden checks that view fits w x h and that, without its colours, it is
// the test's golden file (testdata/TestName/subtest.golden); go test
// -update rewrites the file.
func Golden(t *testing.T, view string, w, h int) {
	t.Helper()
	Fits(t, view, w, h)
	golden.RequireEqual(t, []byte(Plain(view)))
}

// Frozen is the golden screens' clock.
var Frozen = time.Date(2026, 11, 27, 10, 15, 0, 0, time.Local)

// GoldenDeps are the deps of a tab's golden screens: cfg in lang, the
// clock frozen at Frozen, a fixed host label. The gate would act, but the
// golden screens run no Cmd.
func GoldenDeps(cfg *config.Config, lang string) *common.Deps {
	cfg.Lang = lang
	return &common.Deps{Cfg: cfg, Gate: gate.New(false, ""), Hosts: host.NewRegistry(cfg), Lang: lang, HostLabel: "demo-box",
		Styles: common.DefaultStyles(), Now: func() time.Time { return Frozen }}
}
