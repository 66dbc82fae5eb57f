package ui

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/sanitize/sanitizetest"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestHostileProcessInKillDialog: a real job process whose argv holds every
// hostile string, on the Jobs tab and in its kill dialog: the screen holds
// no control byte, and shows the argv (escaped).
func TestHostileProcessInKillDialog(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			cfg := sandboxConfig(t)
			job := fmt.Sprintf("check_item_yahoo_ui%d", os.Getpid())
			cfg.App.Dir = sanitizetest.Job(t, job, sanitizetest.Joined())
			cfg.App.User = "root"
			cfg.Jobs = []config.Job{{Name: job}}
			d := NewDeps(common.Deps{Cfg: cfg, Gate: gate.New(false, cfg.AuditLog), HostLabel: "demo-box", Lang: lang, Now: func() time.Time { return frozen }})
			tm := teatest.NewTestModel(t, New(d, Tabs(d)), teatest.WithInitialTermSize(100, 30))
			tm.Send(uitest.Key("2"))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("manage.py "+job)) }, teatest.WithDuration(20*time.Second))
			tm.Send(uitest.Key("X")) // all of the job: the fake forks its sleep, briefly a second match
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("jobs.kill")) }, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			out := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).View().Content
			sanitizetest.CheckStyled(t, "kill dialog", out) // lipgloss v2 always colours
			if !strings.Contains(strings.ReplaceAll(dialogText(out), " ", ""), `\x1b]52;c;`) {
				t.Errorf("the dialog does not show the process's argv:\n%s", out)
			}
		})
	}
}

// TestFrameNet: a tab that draws a box string without sanitizing it (here
// the fake tab's last line, and the host's name) still puts no control
// byte on the screen: every frame passes sanitize.Styled.
func TestFrameNet(t *testing.T) {
	sh := newShell(t, false)
	sh.deps.HostLabel = sanitizetest.Joined()
	sh.app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	sh.app.tabs[0].(*fakeTab).last = strings.Join(sanitizetest.Corpus, " ")
	sanitizetest.CheckStyled(t, "frame", sh.app.View().Content)
}
