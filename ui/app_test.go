package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/richs/richsops/ui/uitest"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/richs/richsops/internal/demo"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ui/common"
)

// The golden screens are plain text: no colours, a frozen clock, a fixed
// size. Update them with: go test ./ui -run TestShell -update
var frozen = time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)

// sandboxConfig is the demo sandbox's generated config (built, not run).
func sandboxConfig(t testing.TB) *config.Config {
	t.Helper()
	s, err := demo.Build(t.TempDir(), demo.Options{Bin: "/nonexistent/richsops", Now: frozen, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Lang = "en"
	return cfg
}

// fakeTab stands in for the real tabs, which change often: the shell's
// goldens must only change when the shell does.
type fakeTab struct {
	title  string
	d      *common.Deps
	action gate.Action
	w, h   int
	active bool
	last   string
	keys   []string
	host   string // the last HostChangedMsg
	// capturing makes the tab take free text (Capturing).
	capturing bool
}

var keyRestart = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "restart fake"))

func (f *fakeTab) Title() string { return f.title }
func (f *fakeTab) Init() tea.Cmd { return nil }
func (f *fakeTab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ActiveMsg:
		f.active = msg.Active
	case common.HostChangedMsg:
		f.host = msg.Name
	case common.ActionDoneMsg:
		f.last = fmt.Sprintf("%s %s err=%v", msg.Result.Action, msg.Result.Target, msg.Result.Err)
	case tea.KeyPressMsg:
		f.keys = append(f.keys, msg.String())
		if key.Matches(msg, keyRestart) {
			return f, common.Confirm(f.action)
		}
	}
	return f, nil
}
func (f *fakeTab) View() string {
	lines := []string{
		f.d.Styles.Title.Render("tab " + f.title),
		fmt.Sprintf("  size %dx%d, active %v", f.w, f.h, f.active),
		"  keys: " + strings.Join(f.keys, " "),
		"  last action: " + f.last,
		"  日本語の幅: 【新品未開封】ニンテンドースイッチ",
	}
	return strings.Join(lines, "\n")
}
func (f *fakeTab) SetSize(w, h int)         { f.w, f.h = w, h }
func (f *fakeTab) ShortHelp() []key.Binding { return []key.Binding{keyRestart} }
func (f *fakeTab) FullHelp() [][]key.Binding {
	nav := common.NewNavKeys(f.d.T)
	return [][]key.Binding{{keyRestart, nav.Up, nav.Down}}
}
func (f *fakeTab) Capturing() bool { return f.capturing }

type shell struct {
	app   *App
	deps  *common.Deps
	audit string
	ran   *atomic.Int32
}

// TestTabIndexes: the indexes that attention Items and SwitchTabMsg use
// name the tabs Tabs builds, in that order.
func TestTabIndexes(t *testing.T) {
	d := NewDeps(common.Deps{Cfg: sandboxConfig(t), Lang: "en", Now: func() time.Time { return frozen }})
	tabs := Tabs(d)
	for i, want := range map[int]string{common.TabOverview: "Overview", common.TabJobs: "Jobs", common.TabLogs: "Logs", common.TabDatabase: "Database", common.TabServices: "Services"} {
		if got := tabs[i].Title(); got != want {
			t.Errorf("tab %d is %q, want %q", i, got, want)
		}
	}
}

func newShell(t testing.TB, readOnly bool) shell {
	t.Helper()
	cfg := sandboxConfig(t)
	audit := cfg.AuditLog
	g := gate.New(readOnly, audit)
	g.Now = func() time.Time { return frozen }
	d := NewDeps(common.Deps{Cfg: cfg, Gate: g, ReadOnly: readOnly, HostLabel: "demo-box", Lang: "en", Now: func() time.Time { return frozen }})
	ran := &atomic.Int32{}
	act := gate.Action{
		Name: "fake.restart", Target: "demo", Argv: []string{"systemctl", "restart", "demo"},
		Preview: []string{"runs: systemctl restart demo", "then checks: systemctl is-active demo"},
		Run: func(context.Context) (gate.Outcome, error) {
			ran.Add(1)
			return gate.Outcome{Summary: "demo restarted (pid 4242)"}, nil
		},
	}
	var tabs []common.Tab
	for _, title := range []string{"Alpha", "Beta", "Gamma", "Delta", "Epsilon"} {
		tabs = append(tabs, &fakeTab{title: title, d: d, action: act})
	}
	return shell{app: New(d, tabs), deps: d, audit: audit, ran: ran}
}

// screen runs the app at w x h, sends keys, waits until the output shows
// each of waitFor in turn, quits, and returns the final screen.
func screen(t *testing.T, m tea.Model, w, h int, keys []string, waitFor ...string) string {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, k := range keys {
		tm.Send(uitest.Key(k))
	}
	for _, want := range waitFor {
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
			teatest.WithDuration(20*time.Second))
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return content(tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)))
}

// content is m's screen without its colours (the goldens are plain text).
func content(m tea.Model) string { return uitest.Plain(m.View().Content) }

func TestShellGoldens(t *testing.T) {
	cases := []struct {
		name     string
		w, h     int
		readOnly bool
		keys     []string
		active   string // the tab expected active afterwards
	}{
		{"first_screen", 100, 30, false, nil, "Alpha"},
		{"key_3", 100, 30, false, []string{"3"}, "Gamma"},
		{"key_5", 100, 30, false, []string{"2", "5"}, "Epsilon"},
		{"tab", 100, 30, false, []string{"tab", "tab"}, "Gamma"},
		{"tab_wraps", 100, 30, false, []string{"5", "tab"}, "Alpha"},
		{"shift_tab_wraps", 100, 30, false, []string{"shift+tab"}, "Epsilon"},
		{"full_help", 100, 30, false, []string{"?"}, "Alpha"},
		{"read_only_badge", 100, 30, true, []string{"4"}, "Delta"},
		{"too_small", 60, 20, false, nil, "Alpha"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sh := newShell(t, c.readOnly)
			out := screen(t, sh.app, c.w, c.h, c.keys)
			if got := sh.app.tabs[sh.app.active].Title(); got != c.active {
				t.Errorf("active tab %q, want %q", got, c.active)
			}
			for i, tab := range sh.app.tabs {
				if ft := tab.(*fakeTab); ft.active != (i == sh.app.active) {
					t.Errorf("tab %s: ActiveMsg says %v", ft.title, ft.active)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func TestShellScreenFitsTheTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}, {132, 43}} {
		sh := newShell(t, false)
		out := screen(t, sh.app, size[0], size[1], []string{"?"})
		lines := strings.Split(out, "\n")
		if len(lines) != size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if w := lipgloss.Width(l); w > size[0] {
				t.Errorf("%dx%d: line %d is %d cells wide: %q", size[0], size[1], i, w, l)
			}
		}
	}
}

func TestShellConfirmDialog(t *testing.T) {
	sh := newShell(t, false)
	out := screen(t, sh.app, 100, 30, []string{"x"}, "Confirm: fake.restart demo")
	if sh.ran.Load() != 0 {
		t.Fatal("the action ran before it was confirmed")
	}
	golden.RequireEqual(t, []byte(out))
}

func TestShellConfirmYesRunsThroughTheGate(t *testing.T) {
	sh := newShell(t, false)
	tm := teatest.NewTestModel(t, sh.app, teatest.WithInitialTermSize(100, 30))
	tm.Send(uitest.Key("x"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("go ahead")) }, teatest.WithDuration(20*time.Second))
	tm.Send(uitest.Key("y"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("demo restarted (pid 4242)")) }, teatest.WithDuration(20*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	out := content(tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)))
	if sh.ran.Load() != 1 {
		t.Fatalf("the action ran %d times", sh.ran.Load())
	}
	for _, tab := range sh.app.tabs {
		if ft := tab.(*fakeTab); ft.last != "fake.restart demo err=<nil>" {
			t.Errorf("tab %s did not get ActionDoneMsg: %q", ft.title, ft.last)
		}
	}
	recs, err := gate.ReadAudit(sh.audit)
	if err != nil || len(recs) != 2 || recs[0].Phase != "start" || recs[1].Phase != "end" || recs[1].Outcome != "ok" {
		t.Fatalf("audit: %+v %v", recs, err)
	}
	golden.RequireEqual(t, []byte(out))
}

func TestShellConfirmNoCancels(t *testing.T) {
	sh := newShell(t, false)
	tm := teatest.NewTestModel(t, sh.app, teatest.WithInitialTermSize(100, 30))
	tm.Send(uitest.Key("x"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("go ahead")) }, teatest.WithDuration(20*time.Second))
	tm.Send(uitest.Key("n"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("cancelled: fake.restart demo")) }, teatest.WithDuration(20*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
	if sh.ran.Load() != 0 {
		t.Fatal("a cancelled action ran")
	}
	if _, err := os.Stat(sh.audit); err == nil {
		t.Error("a cancelled action was audited as attempted")
	}
}

func TestShellReadOnlyRefusesAndAudits(t *testing.T) {
	sh := newShell(t, true)
	tm := teatest.NewTestModel(t, sh.app, teatest.WithInitialTermSize(100, 30))
	tm.Send(uitest.Key("x"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("refused (read-only): fake.restart demo")) }, teatest.WithDuration(20*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	out := content(tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)))
	if sh.ran.Load() != 0 {
		t.Fatal("read-only mode ran the action")
	}
	recs, err := gate.ReadAudit(sh.audit)
	if err != nil || len(recs) != 1 || recs[0].Phase != "refused" || recs[0].Action != "fake.restart" || recs[0].Outcome != "refused" {
		t.Fatalf("audit: %+v %v", recs, err)
	}
	if !strings.Contains(sh.app.tabs[0].(*fakeTab).last, "read-only") {
		t.Errorf("tabs were not told of the refusal: %q", sh.app.tabs[0].(*fakeTab).last)
	}
	golden.RequireEqual(t, []byte(out))
}

// TestRealTabsRender is a smoke test of the five real tabs on the
// sandbox's config (their golden screens, on fixed data, are each tab
// package's golden_test.go): they draw at 80x24 and 120x40, through every
// tab, without a panic.
func TestRealTabsRender(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := sandboxConfig(t)
			d := NewDeps(common.Deps{Cfg: cfg, Gate: gate.New(true, cfg.AuditLog), ReadOnly: true, HostLabel: "demo-box", Lang: "en", Now: func() time.Time { return frozen }})
			app := New(d, Tabs(d))
			out := screen(t, app, size[0], size[1], []string{"2", "3", "4", "5", "tab", "?"})
			lines := strings.Split(out, "\n")
			if len(lines) != size[1] || !strings.Contains(lines[0], "Overview") {
				t.Errorf("screen:\n%s", out)
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Errorf("line %d is %d cells wide", i, w)
				}
			}
		})
	}
}

// Characters that arrive in one read (tmux send-keys, a laggy ssh link)
// may come as one key: each must still count as its own key.
func TestShellBurstOfKeysCountsEachKey(t *testing.T) {
	sh := newShell(t, false)
	sh.app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	sh.app.Update(uitest.Key("3?"))
	if sh.app.active != 2 || !sh.app.help.ShowAll {
		t.Fatalf("after \"3?\": tab %d, full help %v", sh.app.active, sh.app.help.ShowAll)
	}
	sh.app.Update(uitest.Key("1q"))
	if sh.app.active != 0 || !sh.app.quitting {
		t.Fatalf("after \"1q\": tab %d, quitting %v", sh.app.active, sh.app.quitting)
	}
}

// The terminal's answer to v2's background-colour request picks the light
// or dark styles, in place (the tabs draw with the shared ones).
func TestBackgroundColourPicksTheStyles(t *testing.T) {
	sh := newShell(t, false)
	st := sh.app.deps.Styles
	for _, c := range []struct {
		bg   color.Color
		dark bool
	}{{color.White, false}, {color.Black, true}} {
		sh.app.Update(tea.BackgroundColorMsg{Color: c.bg})
		want, other := common.StylesFor(c.dark), common.StylesFor(!c.dark)
		if got := st.Title.Render("x"); got != want.Title.Render("x") || got == other.Title.Render("x") {
			t.Errorf("background %v: title %q, want %q", c.bg, got, want.Title.Render("x"))
		}
		if got := sh.app.help.Styles.ShortKey.Render("x"); got != help.DefaultStyles(c.dark).ShortKey.Render("x") {
			t.Errorf("background %v: help key %q", c.bg, got)
		}
	}
}

// A bracketed paste (v2's PasteMsg) goes whole to a tab taking text, as one
// key; elsewhere it is no key at all ("q" in it does not quit).
func TestPasteGoesOnlyToText(t *testing.T) {
	sh := newShell(t, false)
	ft := sh.app.tabs[0].(*fakeTab)
	sh.app.Update(tea.PasteMsg{Content: "q 1"})
	if len(ft.keys) != 0 || sh.app.quitting {
		t.Fatalf("a paste outside text: keys %q, quitting %v", ft.keys, sh.app.quitting)
	}
	ft.capturing = true
	sh.app.Update(tea.PasteMsg{Content: "q 1"})
	if len(ft.keys) != 1 || ft.keys[0] != "q 1" || sh.app.quitting {
		t.Fatalf("a paste into text: keys %q, quitting %v", ft.keys, sh.app.quitting)
	}
}

// `?` on each tab lists every binding the registry declares for it, the
// movement keys and the global ones, in the language.
func TestHelpListsTheRegistry(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		cfg := sandboxConfig(t)
		d := NewDeps(common.Deps{Cfg: cfg, Gate: gate.New(true, cfg.AuditLog), ReadOnly: true, HostLabel: "demo-box", Lang: lang, Now: func() time.Time { return frozen }})
		app := New(d, Tabs(d))
		app.Update(tea.WindowSizeMsg{Width: 320, Height: 60})
		app.Update(uitest.Key("?"))
		groups := d.Keys().Groups()
		for tab := range 5 {
			app.Update(uitest.Key(strconv.Itoa(tab + 1)))
			screen := content(app)
			for _, g := range groups {
				if g.Tab != -1 && g.Tab != tab {
					continue
				}
				for _, e := range g.Entries {
					h := e.Binding.Help()
					// help aligns the descriptions of a column
					if h.Key != "" && !regexp.MustCompile(regexp.QuoteMeta(h.Key)+" +"+regexp.QuoteMeta(h.Desc)).MatchString(screen) {
						t.Errorf("%s tab %d: %q not in the help:\n%s", lang, tab+1, h.Key+" "+h.Desc, screen)
					}
				}
			}
		}
	}
}
