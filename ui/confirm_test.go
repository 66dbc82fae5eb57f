package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// The commands the 80x24 dialog used to cut (the examples), and a
// Japanese file name that takes two cells a character.
var longPreview = []string{
	"runs as richs in /var/www/richs: /var/www/richs/venv/bin/python manage.py check_item_mercari 2 4 --max-workers 14",
	"env: SERVER=srv1 DEBUG=ibiz:* NODE_ENV=production pm2 restart index-linux --update-env",
	"dumps: mysqldump --single-transaction --quick --socket=/var/run/mysqld/mysqld.sock richs",
	"removes: /var/www/richs_public/tmp/【新品未開封】ニンテンドースイッチ本体_有機ELモデル_ホワイト_送料無料.csv",
}

// withAction points every fake tab's x key at a.
func withAction(sh shell, lang string, a gate.Action) shell {
	sh.deps.Lang = lang
	for _, tab := range sh.app.tabs {
		tab.(*fakeTab).action = a
	}
	return sh
}

// dialogText is the dialog's rows of a screen joined without the border and
// padding, so a wrapped line reads whole again.
func dialogText(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		_, inner, ok := strings.Cut(l, "║ ")
		if !ok {
			continue
		}
		inner = strings.TrimSuffix(strings.TrimRight(inner, " "), "║")
		b.WriteString(strings.TrimRight(inner, " "))
	}
	return b.String()
}

// TestConfirmWrapsNeverCuts: at 80x24, in English and Japanese, every
// preview line is on the screen whole, wrapped in cells.
func TestConfirmWrapsNeverCuts(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			sh := withAction(newShell(t, false), lang, gate.Action{Name: "fake.restart", Target: "srv1", Preview: longPreview,
				Run: func(context.Context) (gate.Outcome, error) { return gate.Outcome{}, nil }})
			want := map[string]string{"en": "y go ahead", "ja": "y 実行"}[lang]
			out := screen(t, sh.app, 80, 24, []string{"x"}, strings.Fields(want)[1])
			uitest.Fits(t, out, 80, 24)
			text := dialogText(out)
			for _, l := range longPreview {
				// Rows are compared without spaces: padding and a space at a
				// row's end look the same.
				if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(l, " ", "")) {
					t.Errorf("the dialog does not show %q whole:\n%s", l, out)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// keys sends each key to the dialog and returns the last (done, yes).
func keys(d *confirmDialog, names ...string) (done, yes bool) {
	for _, k := range names {
		done, yes, _ = d.update(uitest.Key(k))
	}
	return done, yes
}

// TestConfirmLongScrollsAndWaitsForTheEnd: a preview taller than the
// screen scrolls, every row of it can be brought on screen, and neither y
// nor a typed word's enter is accepted before the last row was shown.
func TestConfirmLongScrollsAndWaitsForTheEnd(t *testing.T) {
	var lines []string
	for i := 1; i <= 60; i++ {
		lines = append(lines, fmt.Sprintf("kill pid %d: /usr/bin/python3 manage.py check_item_yahoo 2 4 --max-workers 14 (line %d)", 1000+i, i))
	}
	for _, lang := range []string{"en", "ja"} {
		for _, danger := range []string{"", "KILL"} {
			t.Run(lang+"/"+danger, func(t *testing.T) {
				sh := newShell(t, false)
				sh.deps.Lang = lang
				d := newConfirm(sh.deps, gate.Action{Name: "jobs.kill", Target: "check_item_yahoo", Preview: lines, Danger: danger}, 80, 21)
				seen := map[string]bool{}
				look := func() {
					v := d.view()
					if h := strings.Count(v, "\n") + 1; h > 21 {
						t.Fatalf("the dialog is %d rows high on a body of 21", h)
					}
					text := strings.ReplaceAll(dialogText(v), " ", "")
					for _, l := range lines {
						if strings.Contains(text, strings.ReplaceAll(l, " ", "")) {
							seen[l] = true
						}
					}
				}
				look()
				if danger != "" {
					keys(d, "K", "I", "L", "L")
				}
				accept := "y"
				if danger != "" {
					accept = "enter"
				}
				if done, _ := keys(d, accept); done {
					t.Fatal("accepted before the end of the preview was shown")
				}
				for i := 0; i < 30 && !d.seenEnd; i++ {
					keys(d, "pgdown")
					look()
				}
				if !d.seenEnd {
					t.Fatal("pgdown never reached the end")
				}
				keys(d, "up", "pgup", "down")
				for _, l := range lines {
					if !seen[l] {
						t.Errorf("never shown: %q", l)
					}
				}
				if done, yes := keys(d, accept); !done || !yes {
					t.Fatalf("after the end was shown, %s gives done=%v yes=%v", accept, done, yes)
				}
			})
		}
	}
}

// TestConfirmScrollGolden: the long dialog at 80x24 as it opens, in both
// languages: the position, the scroll keys and why y does not work yet.
func TestConfirmScrollGolden(t *testing.T) {
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, fmt.Sprintf("removes: /var/www/richs_public/tmp/upload-%03d.csv (12 KiB, 2026-11-20 03:12)", i))
	}
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			sh := withAction(newShell(t, false), lang, gate.Action{Name: "public.clean", Target: "tmp", Preview: lines,
				Run: func(context.Context) (gate.Outcome, error) { return gate.Outcome{}, nil }})
			out := screen(t, sh.app, 80, 24, []string{"x"}, "pgup/pgdn")
			uitest.Fits(t, out, 80, 24)
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// TestConfirmWheelScrolls: the mouse wheel scrolls a long dialog (not the
// tab under it) and can bring its end on screen.
func TestConfirmWheelScrolls(t *testing.T) {
	sh := newShell(t, false)
	lines := make([]string, 50)
	for i := range lines {
		lines[i] = fmt.Sprintf("removes: /var/www/richs_public/tmp/upload-%03d.csv", i)
	}
	sh.app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	sh.app.Update(common.ConfirmMsg{Action: gate.Action{Name: "public.clean", Target: "tmp", Preview: lines}})
	d := sh.app.confirm
	for i := 0; i < 30 && !d.seenEnd; i++ {
		sh.app.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	}
	if !d.seenEnd || d.top == 0 {
		t.Fatalf("the wheel did not scroll the dialog to its end (top %d)", d.top)
	}
	sh.app.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if d.top+d.visible(len(d.previewRows())) >= len(d.previewRows()) {
		t.Error("wheel up did not scroll back")
	}
}

// TestTypedWordWrongKeepsTheDialog: a wrong word (case counts) keeps the
// dialog open and says what must be typed; the input starts empty, with no
// placeholder that would read as typed; the right word then goes ahead.
func TestTypedWordWrongKeepsTheDialog(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			sh := newShell(t, false)
			sh.deps.Lang = lang
			d := newConfirm(sh.deps, gate.Action{Name: "jobs.run", Target: "x", Preview: []string{"runs: x"}, Danger: "OVERRIDE"}, 80, 21)
			if in := ansi.Strip(d.input.View()); strings.TrimSpace(in) != ">" {
				t.Fatalf("the input is not empty at first: %q", in)
			}
			if !strings.Contains(dialogText(d.view()), "OVERRIDE") {
				t.Fatalf("the label does not name the word:\n%s", d.view())
			}
			if done, _ := keys(d, "override", "enter"); done {
				t.Fatal("a wrong word closed the dialog")
			}
			text := dialogText(d.view())
			want := map[string]string{"en": `"override" is not OVERRIDE`, "ja": "「override」は OVERRIDE ではありません"}[lang]
			if !strings.Contains(text, want) {
				t.Fatalf("the dialog does not say what must be typed (%q):\n%s", want, d.view())
			}
			keys(d, "ctrl+u")
			if done, yes := keys(d, "OVERRIDE", "enter"); !done || !yes {
				t.Fatal("the right word did not go ahead")
			}
		})
	}
}
