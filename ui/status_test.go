package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ui/common"
)

// TestStatusEllipsisKeepsOffTheClock: a message too long for the status
// line is cut with its ellipsis one cell away from the clock, in both
// languages, and the line is exactly the screen's width.
func TestStatusEllipsisKeepsOffTheClock(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		sh := langShell(t, lang)
		a := sh.app
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, text := range []string{strings.Repeat("failed: restart index-linux ", 6), strings.Repeat("失敗: 再起動 ", 12)} {
			a.Update(common.ToastMsg{Text: text, Error: true})
			line := ansi.Strip(a.statusLine())
			if w := common.Width(line); w != 80 {
				t.Errorf("%s: the status line is %d cells: %q", lang, w, line)
			}
			if !strings.Contains(line, common.Ellipsis) || strings.Contains(line, common.Ellipsis+"10:15") || !strings.HasSuffix(line, " 10:15 ") {
				t.Errorf("%s: the ellipsis runs into the clock: %q", lang, line)
			}
		}
	}
}

// TestStatusOutcomeStaysOnItsTab: an action's outcome stays in the status
// line after its toast went, on the tab it was done on; another tab does
// not show it, and it does not come back on returning, nor after a newer
// message's toast went.
func TestStatusOutcomeStaysOnItsTab(t *testing.T) {
	sh := newShell(t, false)
	a := sh.app
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	status := func() string { return ansi.Strip(a.statusLine()) }
	done := func() {
		a.Update(common.ActionDoneMsg{Result: gate.Result{Action: "fake.restart", Target: "demo", Outcome: gate.Outcome{Summary: "demo restarted (pid 4242)"}}})
		a.Update(toastExpiredMsg{at: a.toastAt})
	}
	done()
	if !strings.Contains(status(), "demo restarted") {
		t.Fatalf("the outcome is not kept on its tab: %q", status())
	}
	a.Update(common.SwitchTabMsg{Index: 1})
	if strings.Contains(status(), "demo restarted") {
		t.Fatalf("the outcome followed to another tab: %q", status())
	}
	a.Update(common.SwitchTabMsg{Index: 0})
	if strings.Contains(status(), "demo restarted") {
		t.Fatalf("the outcome came back: %q", status())
	}
	done()
	a.Update(common.ToastMsg{Text: "mouse off"})
	a.Update(toastExpiredMsg{at: a.toastAt})
	if s := status(); strings.Contains(s, "demo restarted") {
		t.Fatalf("an older outcome came back after a newer toast: %q", s)
	}
}
