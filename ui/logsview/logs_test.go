package logsview

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/richs/richsops/ui/uitest"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
	"github.com/richs/richsops/ui/common"
)

func init() {
	pumpTimeout = 100 * time.Millisecond
}

// newTestTab builds the tab over the given logs (name -> content).
func newTestTab(t *testing.T, w, h int, logs ...[2]string) (*Model, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := edittest.Config(t, config.Default())
	cfg.Logs = nil
	for _, l := range logs {
		p := filepath.Join(dir, l[0]+".log")
		if err := os.WriteFile(p, []byte(l[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		kind := "django"
		if strings.Contains(l[0], "access") {
			kind = "nginx-access"
		}
		cfg.Logs = append(cfg.Logs, config.Log{Name: l[0], Path: p, Kind: kind})
	}
	cfg.LogView.Open = []string{} // the tests open their panes (TestFirstVisitOpensConfiguredLogs aside)
	d := &common.Deps{Cfg: cfg, Hosts: host.NewRegistry(cfg), Lang: "en", Styles: common.DefaultStyles(),
		Now: func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) }}
	m := New(d).(*Model)
	m.SetSize(w, h)
	m.Update(common.ActiveMsg{Active: true})
	t.Cleanup(func() {
		for len(m.panes) > 0 {
			m.closePane(0)
		}
	})
	return m, dir
}

// run executes a Cmd tree the way the runtime would, feeding messages back
// (follower starters return nil; the pump returns batches).
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			run(m, c)
		}
		return
	}
	if msg != nil {
		if _, isBatch := msg.(batchMsg); isBatch {
			m.Update(msg) // the returned re-armed pump is run by settle
			return
		}
		_, next := m.Update(msg)
		run(m, next)
	}
}

// settle pumps lines until cond holds (20 s at most).
func settle(t *testing.T, m *Model, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; view:\n%s", m.View())
		}
		m.pumping = false
		run(m, m.pump())
	}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(uitest.Key(k))
		run(m, cmd)
	}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(uitest.Key(string(r)))
	}
}

func numbered(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

func appendFile(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// openFirst opens the first configured log from the picker and waits until
// its pane holds n lines.
func openFirst(t *testing.T, m *Model, n int) *pane {
	t.Helper()
	press(m, "enter", "o")
	p := m.focused()
	settle(t, m, func() bool { return p.ring.Len() == n })
	return p
}

func hasLine(m *Model, s string) func() bool {
	return func() bool { return strings.Contains(m.View(), s) }
}

func TestHostileBytesNeverReachTheView(t *testing.T) {
	hostile := strings.Join([]string{
		"csi \x1b[2J\x1b[31mred",
		"osc \x1b]0;title\x07 \x1b]52;c;ZXZpbA==\x07",
		"dcs \x1bP1$r\x1b\\ apc \x1b_x\x1b\\",
		"bell\x07 back\x08 del\x7f cr\r",
		"c1 raw \x9b31m utf8 \u009b31m \u0085",
		"bad \xff\xfe \xe3\x81",
		"rtl \u202eevil",
	}, "\n") + "\n"
	m, _ := newTestTab(t, 100, 20, [2]string{"evil", hostile})
	press(m, "enter", "o")
	settle(t, m, hasLine(m, "evil"))
	for _, wrap := range []bool{false, true} {
		m.focused().wrap = wrap
		m.layoutPanes()
		// Without the styles' colours (lipgloss v2 always renders them):
		// any other escape byte came from the log.
		v := uitest.Plain(m.View())
		if !utf8.ValidString(v) {
			t.Fatalf("view is not valid UTF-8")
		}
		for i := 0; i < len(v); i++ {
			if c := v[i]; (c < 0x20 && c != '\n') || c == 0x7f {
				t.Fatalf("raw byte %#x reached the view:\n%q", c, v)
			}
		}
		for _, r := range v {
			if r >= 0x80 && r <= 0x9f || r == 0x202e {
				t.Fatalf("rune %U reached the view", r)
			}
		}
		if !strings.Contains(v, `\x1b[2J`) || !strings.Contains(v, `\x9b31m`) {
			t.Errorf("escapes not shown visibly:\n%s", v)
		}
	}
}

func TestJapaneseLinesKeepPaneWidths(t *testing.T) {
	ja := numbered(30, func(i int) string {
		return "2026-11-27 INFO 商品「テスト商品ＡＢＣ」在庫確認 ｶﾀｶﾅ 価格1980円 在庫あり 番号" + strings.Repeat("日本", i%5)
	})
	m, _ := newTestTab(t, 80, 24, [2]string{"a", ja}, [2]string{"b", ja}, [2]string{"c", "plain\n"})
	press(m, "enter", "j", "enter", "j", "enter", "o")
	settle(t, m, func() bool { return m.panes[1].ring.Len() == 30 && m.panes[0].ring.Len() == 30 })
	for _, lay := range []string{"columns", "rows", "grid"} {
		for _, wrap := range []bool{false, true} {
			for _, p := range m.panes {
				p.wrap = wrap
			}
			m.layoutPanes()
			rows := strings.Split(m.View(), "\n")
			if len(rows) != 24 {
				t.Fatalf("%s wrap=%v: %d rows, want 24", lay, wrap, len(rows))
			}
			for i, r := range rows {
				if w := lipgloss.Width(r); w != 80 {
					t.Fatalf("%s wrap=%v: row %d is %d cells wide, want 80: %q", lay, wrap, i, w, r)
				}
			}
		}
		press(m, "L")
	}
}

func TestTabKeys(t *testing.T) {
	content := numbered(200, func(i int) string {
		switch {
		case i == 50 || i == 150:
			return "2026-11-27 03:00:00 ERROR inventory.check failed item " + itoa(i)
		case i%10 == 0:
			return "2026-11-27 03:00:00 WARNING slow item " + itoa(i)
		}
		return "2026-11-27 03:00:00 INFO ok item " + itoa(i)
	})
	m, dir := newTestTab(t, 80, 24, [2]string{"app", content})
	p0 := filepath.Join(dir, "app.log")
	if !m.picker {
		t.Fatal("no panes: the picker should show")
	}
	press(m, "enter", "o")
	settle(t, m, hasLine(m, "ok item 199"))
	p := m.focused()

	// Pause: new lines are counted, not shown.
	press(m, "space")
	appendFile(t, p0, numbered(3, func(i int) string { return "INFO late " + itoa(i) }))
	settle(t, m, hasLine(m, "+3 new lines"))
	if strings.Contains(m.View(), "late 2") {
		t.Error("paused pane scrolled to new lines")
	}
	press(m, "G")
	settle(t, m, hasLine(m, "late 2"))
	if !p.follow || strings.Contains(m.View(), "PAUSED") {
		t.Error("G did not resume following")
	}

	// Search and n/N.
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("search prompt should capture keys")
	}
	if rows := strings.Count(m.View(), "\n") + 1; rows != 24 {
		t.Errorf("with the prompt the view has %d rows, want 24", rows)
	}
	typeText(m, "ITEM 1")
	press(m, "enter")
	if got := p.ring.At(p.cursor).Text; !strings.Contains(got, "item 199") {
		t.Errorf("search went to %q, want the last match (item 199)", got)
	}
	// n/N move between matches, e/E between ERROR lines.
	for _, step := range []struct{ key, want string }{
		{"N", "item 198"}, {"n", "item 199"},
		{"E", "item 150"}, {"E", "item 50"}, {"e", "item 150"},
	} {
		press(m, step.key)
		if got := p.ring.At(p.cursor).Text; !strings.Contains(got, step.want) {
			t.Errorf("%s went to %q, want %s", step.key, got, step.want)
		}
	}

	// Filter plain, context lines, regexp, clear.
	press(m, "esc", "f")
	typeText(m, "error")
	press(m, "enter")
	if p.count() != 2 {
		t.Errorf("filter error: %d lines, want 2", p.count())
	}
	press(m, "c")
	if p.count() != 10 {
		t.Errorf("filter with ±2 context: %d lines, want 10", p.count())
	}
	press(m, "c", "c", "F")
	typeText(m, `item 1[0-4]0$`)
	press(m, "enter")
	if p.count() != 5 {
		t.Errorf("regexp filter: %d lines, want 5", p.count())
	}
	press(m, "F")
	typeText(m, "([")
	press(m, "enter")
	if !strings.Contains(m.View(), "bad regexp") || p.count() != 5 {
		t.Error("a bad regexp must be reported and keep the filter")
	}
	if rows := strings.Count(m.View(), "\n") + 1; rows != 24 {
		t.Errorf("with a note line the view has %d rows, want 24", rows)
	}
	// The prompt stays open with the text: the keys typed next (5, enter)
	// still go to it, never to the tab or the app.
	if !m.Capturing() || !strings.Contains(uitest.Plain(m.View()), "filter regexp: ([") {
		t.Fatalf("a bad regexp closed the prompt or lost the text:\n%s", m.View())
	}
	press(m, "backspace", "5", "enter")
	if !m.Capturing() || !strings.Contains(uitest.Plain(m.View()), "filter regexp: (5") {
		t.Fatalf("keys after a bad regexp left the prompt:\n%s", m.View())
	}
	press(m, "esc")
	if m.Capturing() || strings.Contains(m.View(), "bad regexp") || p.count() != 5 {
		t.Fatal("esc did not close the prompt and its error, keeping the filter")
	}

	// Save the filtered lines.
	out := filepath.Join(dir, "saved.log")
	press(m, "ctrl+s")
	m.input.SetValue(out)
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	msg := cmd()
	m.Update(msg)
	data, err := os.ReadFile(out)
	if err != nil || strings.Count(string(data), "\n") != 5 || !strings.Contains(string(data), "item 140") {
		t.Errorf("saved %q, %v", data, err)
	}
	_, cmd = m.Update(uitest.Key("ctrl+s"))
	m.input.SetValue(out)
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if toast, _ := cmd().(saveDoneMsg); toast.err == nil {
		t.Error("saving over an existing file must fail")
	}

	// Copy a line: through Bubble Tea's clipboard (OSC 52), written by the
	// program between frames, not by the command itself.
	want := tea.SetClipboard(p.ring.At(p.current()).String())()
	_, cmd = m.Update(uitest.Key("y"))
	if !slices.Contains(uitest.Messages(cmd), want) {
		t.Errorf("copy did not set the clipboard to the line %q", want)
	}

	// Wrap, zoom, layout, close.
	press(m, "esc", "w")
	if !p.wrap {
		t.Error("w did not toggle wrap")
	}
	press(m, "z")
	if !m.zoom {
		t.Error("z did not zoom")
	}
	press(m, "ctrl+w")
	if len(m.panes) != 0 || !m.picker {
		t.Error("x did not close the pane and show the picker")
	}
}

func TestLoadMoreOnTop(t *testing.T) {
	content := numbered(5000, func(i int) string { return "line " + itoa(i) })
	m, _ := newTestTab(t, 80, 24, [2]string{"big", content})
	m.d.Cfg.LogView.InitialLines = 100
	p := openFirst(t, m, 100)
	press(m, "g") // to the top, then load more: the status line says how many
	_, cmd := m.Update(uitest.Key("g"))
	_, cmd = m.Update(cmd())
	if toast, _ := cmd().(common.ToastMsg); toast.Text != "+1,000 earlier lines" || toast.Error {
		t.Errorf("load more said %+v, want +1,000 earlier lines", toast)
	}
	if p.ring.Len() != 1100 {
		t.Fatalf("after load more: %d lines, want 1100", p.ring.Len())
	}
	if got := p.ring.At(p.ring.First()).Text; got != "line 3900" {
		t.Errorf("first line %q, want line 3900", got)
	}
	if got := p.ring.At(p.cursor).Text; got != "line 4899" {
		t.Errorf("cursor on %q, want the line above the old top (line 4899)", got)
	}
}

// The mouse wheel scrolls the focused pane three lines a notch (v2's
// MouseWheelMsg), and pauses it.
func TestMouseWheelScrolls(t *testing.T) {
	m, _ := newTestTab(t, 80, 24, [2]string{"a", numbered(50, func(i int) string { return "line " + itoa(i) })})
	p := openFirst(t, m, 50)
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := p.ring.At(p.cursor).Text; p.follow || got != "line 46" {
		t.Fatalf("after a notch up: follow %v, cursor on %q, want line 46", p.follow, got)
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := p.ring.At(p.cursor).Text; got != "line 49" {
		t.Errorf("after a notch down: cursor on %q, want line 49", got)
	}
}

func TestOpenLogMsgFollowsCommand(t *testing.T) {
	if _, err := exec.LookPath("tail"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tail missing")
		}
		t.Skip("tail missing")
	}
	m, dir := newTestTab(t, 80, 24)
	p := filepath.Join(dir, "unit.log")
	os.WriteFile(p, []byte("started unit\n"), 0o644)
	// What the Services tab sends for journalctl -u UNIT -f, and what a
	// remote [[logs]] entry runs: a command whose output is followed.
	_, cmd := m.Update(common.OpenLogMsg{Name: "unit", Argv: []string{"tail", "-n", "5", "-F", p}, Kind: "plain"})
	run(m, cmd)
	settle(t, m, hasLine(m, "started unit"))
	appendFile(t, p, "ERROR boom\n")
	settle(t, m, hasLine(m, "ERROR boom"))
}

func TestMissingFileSaysSo(t *testing.T) {
	m, dir := newTestTab(t, 80, 24, [2]string{"gone", ""})
	os.Remove(filepath.Join(dir, "gone.log"))
	press(m, "enter", "o")
	settle(t, m, hasLine(m, "no such file, waiting"))
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestServiceJournalPaneNamedAndEmpty: `l` on a systemd unit opens a pane
// named after the journalctl command it follows, and while the journal
// has nothing for the unit it says so (it said "nginx (no lines yet)").
// The journalctl is a stand-in that follows an empty file.
func TestServiceJournalPaneNamedAndEmpty(t *testing.T) {
	m, dir := newTestTab(t, 80, 24)
	journal := filepath.Join(dir, "journal")
	os.WriteFile(journal, nil, 0o644)
	jctl := filepath.Join(dir, "journalctl")
	os.WriteFile(jctl, []byte("#!/bin/sh\nexec tail -n +1 -F "+journal+"\n"), 0o755)
	cfg := config.Default()
	cfg.Services = []config.Service{{Name: "nginx", Kind: "systemd", Journalctl: []string{jctl}}}
	spec, err := services.Find(cfg, "nginx")
	if err != nil {
		t.Fatal(err)
	}
	src, err := services.Log(spec)
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(common.OpenLogMsg{Name: src.Name, Host: src.Host, Path: src.Path, Argv: src.Argv, Kind: src.Kind, Empty: src.Empty})
	run(m, cmd)
	settle(t, m, hasLine(m, "(the journal has no lines of nginx yet)"))
	if v := m.View(); !strings.Contains(v, "journalctl -u nginx -f") {
		t.Fatalf("pane:\n%s", v)
	}
	appendFile(t, journal, "Dec 01 22:00:00 ap1 nginx[42]: started\n")
	settle(t, m, hasLine(m, "nginx[42]: started"))
	if strings.Contains(m.View(), "no lines of nginx") {
		t.Fatalf("still says empty:\n%s", m.View())
	}
}
