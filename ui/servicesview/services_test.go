package servicesview

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

type fixture struct {
	tab *Tab
	sc  *svctest.Systemctl
	d   *common.Deps
}

func newFixture(t *testing.T, lang string) *fixture {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", true)
	sc.Unit("crond", "inactive", false)
	cfg := edittest.Config(t, config.Default())
	cfg.Lang = lang
	sys := []string{sc.Path}
	cfg.Services = []config.Service{
		{Name: "nginx", Kind: "systemd", Unit: "nginx", Systemctl: sys, Log: "journal", Timeout: config.Duration{Duration: 20 * time.Second},
			ConfigTest: []string{svctest.NewNginx(t).Path, "-t"}},
		{Name: "crond", Kind: "systemd", Unit: "crond", Systemctl: sys, Timeout: config.Duration{Duration: 20 * time.Second}},
		{Name: "redis", Kind: "command", Start: []string{"true"}, Stop: []string{"true"}, Status: []string{"false"}},
		{Name: "index-linux", Kind: "pm2", App: "index-linux", PM2: []string{"false"}},
	}
	cfg.IndexLinux.Redis = "127.0.0.1:1"
	// Stops of Redis and index-linux read the Mercari checks' state: an
	// empty crontab of its own, never the machine's.
	cfg.Crontab.Path = filepath.Join(t.TempDir(), "crontab")
	os.WriteFile(cfg.Crontab.Path, nil, 0o644)
	cfg.Probes = []config.Probe{{Name: "captcha", URL: "http://127.0.0.1:1/amazon/captcha/", Timeout: config.Duration{Duration: time.Second}}}
	d := &common.Deps{Cfg: cfg, Gate: gate.New(false, ""), Hosts: host.NewRegistry(cfg), Lang: lang,
		Styles: common.DefaultStyles(), Now: time.Now}
	tab := New(d).(*Tab)
	tab.SetSize(80, 20)
	return &fixture{tab: tab, sc: sc, d: d}
}

// refresh runs the tab's load synchronously, as the runtime would.
func (f *fixture) refresh(t *testing.T) {
	t.Helper()
	f.tab.loading = false
	cmd := f.tab.load()
	f.tab.Update(cmd())
}

func (f *fixture) press(k string) tea.Cmd {
	_, cmd := f.tab.Update(uitest.Key(k))
	return cmd
}

func TestViewFits80Columns(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		f := newFixture(t, lang)
		f.refresh(t)
		view := f.tab.View()
		t.Logf("%s view:\n%s", lang, view)
		lines := strings.Split(view, "\n")
		if len(lines) > 20 {
			t.Errorf("%s: %d lines for a height of 20", lang, len(lines))
		}
		for _, l := range lines {
			if w := lipgloss.Width(l); w > 80 {
				t.Errorf("%s: line of %d cells: %q", lang, w, l)
			}
		}
		for _, want := range []string{"nginx", "crond", "redis", "index-linux", "captcha", "Redis PING"} {
			if !strings.Contains(view, want) {
				t.Errorf("%s: view lacks %q:\n%s", lang, want, view)
			}
		}
		up, down := "up", "down"
		if lang == "ja" {
			up, down = "稼働", "停止"
		}
		if !strings.Contains(view, up) || !strings.Contains(view, down) {
			t.Errorf("%s: no state words:\n%s", lang, view)
		}
	}
}

func TestRestartKeyConfirmsRunsAndShowsOutcome(t *testing.T) {
	f := newFixture(t, "en")
	f.refresh(t)
	msg := f.press("R")()
	cm, ok := msg.(common.ConfirmMsg)
	if !ok {
		t.Fatalf("r gave %T %v", msg, msg)
	}
	if want := []string{f.sc.Path, "restart", "nginx"}; !reflect.DeepEqual(cm.Action.Argv, want) {
		t.Fatalf("argv = %q", cm.Action.Argv)
	}
	// What the app does on "yes".
	f.tab.Update(common.ActionStartedMsg{Action: cm.Action})
	if v := f.tab.View(); !strings.Contains(v, "restart") {
		t.Errorf("no spinner row while running:\n%s", v)
	}
	if cmd := f.press("S"); cmd == nil {
		t.Error("a second action on a busy service was not refused")
	} else if tm, ok := cmd().(common.ToastMsg); !ok || !tm.Error {
		t.Errorf("busy: %v", tm)
	}
	res := f.d.Gate.Do(context.Background(), cm.Action)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	_, cmd := f.tab.Update(common.ActionDoneMsg{Result: res})
	if cmd == nil {
		t.Fatal("no refresh after the action")
	}
	f.tab.Update(cmd())
	if v := f.tab.View(); !strings.Contains(v, "nginx restarted, verified in") {
		t.Errorf("outcome not shown:\n%s", v)
	}
}

func TestReloadRefusedWhereUnitCannot(t *testing.T) {
	f := newFixture(t, "en")
	f.refresh(t)
	f.press("j") // crond
	msg := f.press("u")()
	if tm, ok := msg.(common.ToastMsg); !ok || !tm.Error || !strings.Contains(tm.Text, "cannot reload") {
		t.Fatalf("u (reload) on crond gave %#v", msg)
	}
	f.press("k") // nginx: systemd says it can
	if _, ok := f.press("R")().(common.ConfirmMsg); !ok {
		t.Fatal("R on nginx did not ask to confirm")
	}
}

func TestLogAndRedisThenIndexKeys(t *testing.T) {
	f := newFixture(t, "en")
	f.refresh(t)
	msg := f.press("l")()
	ol, ok := msg.(common.OpenLogMsg)
	if !ok || !reflect.DeepEqual(ol.Argv, []string{"journalctl", "-u", "nginx", "-n", "500", "-f", "--no-pager"}) ||
		ol.Name != "journalctl -u nginx -f" || ol.Empty != "the journal has no lines of nginx yet" {
		t.Fatalf("l gave %#v", msg)
	}
	// It builds the action and what it endangers (nothing here) off the UI
	// goroutine, then confirms.
	msg = f.press("i")()
	cm, ok := msg.(common.ConfirmMsg)
	if !ok || cm.Action.Name != "services.redis-then-index-linux" {
		t.Fatalf("i gave %#v", msg)
	}
}

func TestTimersOnlyWhileVisible(t *testing.T) {
	f := newFixture(t, "en")
	if cmd := f.tab.Init(); cmd != nil {
		t.Error("Init starts work while hidden")
	}
	_, cmd := f.tab.Update(common.ActiveMsg{Active: true})
	if cmd == nil {
		t.Fatal("showing the tab did not start a refresh")
	}
	gen := f.tab.timer.Gen()
	if _, cmd := f.tab.Update(tickMsg{gen: gen}); cmd == nil {
		t.Error("a tick while visible did not re-arm")
	}
	f.tab.Update(common.ActiveMsg{Active: false})
	if _, cmd := f.tab.Update(tickMsg{gen: gen}); cmd != nil {
		t.Error("a tick while hidden re-armed")
	}
	f.tab.Update(common.ActiveMsg{Active: true})
	if _, cmd := f.tab.Update(tickMsg{gen: gen}); cmd != nil {
		t.Error("a tick of an old chain re-armed (two chains would run)")
	}
}

// A service on another host says so in its name cell, before and after the
// first load; local ones do not.
func TestRemoteServiceShowsItsHost(t *testing.T) {
	f := newFixture(t, "en")
	f.d.Cfg.Services[2].Host = "db1"
	f.d.Hosts.Set("db1", host.NewLocal())
	check := func(when string) {
		v := f.tab.View()
		if !strings.Contains(v, "redis@db1") {
			t.Errorf("%s: no redis@db1 in\n%s", when, v)
		}
		if strings.Contains(v, "nginx@") {
			t.Errorf("%s: a local service shows a host:\n%s", when, v)
		}
	}
	check("before the load")
	f.refresh(t)
	check("after the load")
}

// Refusals in the tab follow lang: a unit that cannot reload (refused by
// ops) and a read-only gate (a sentinel, translated where it is shown).
func TestRefusalsFollowLang(t *testing.T) {
	for _, tc := range []struct{ lang, reload, readOnly string }{
		{"en", "crond cannot reload (only systemd units with can_reload = true)", "read-only mode: changes are disabled"},
		{"ja", "crond はリロードできません（can_reload = true の systemd ユニットのみ）", "読み取り専用モード: 変更はできません"},
	} {
		f := newFixture(t, tc.lang)
		f.refresh(t)
		f.press("j") // crond
		if tm, ok := f.press("u")().(common.ToastMsg); !ok || !tm.Error || tm.Text != tc.reload {
			t.Errorf("%s: u (reload) on crond gave %#v", tc.lang, tm)
		}
		f.press("k") // nginx
		cm, ok := f.press("R")().(common.ConfirmMsg)
		if !ok {
			t.Fatalf("%s: r did not ask to confirm", tc.lang)
		}
		_, cmd := f.tab.Update(common.ActionDoneMsg{Result: gate.New(true, "").Do(context.Background(), cm.Action)})
		f.tab.Update(cmd())
		if v := f.tab.View(); !strings.Contains(v, tc.readOnly) {
			t.Errorf("%s: read-only outcome not shown:\n%s", tc.lang, v)
		}
	}
}

// Building a service action looks its host up (which may create the ssh
// control folder) inside the tea.Cmd, never in Update.
func TestActionBuiltOffTheUIGoroutine(t *testing.T) {
	f := newFixture(t, "en")
	f.refresh(t)
	f.d.Cfg.Services[0].Host = "db1" // nginx, selected
	f.d.Cfg.Hosts = append(f.d.Cfg.Hosts, config.HostEntry{Name: "db1", SSH: "root@db1.example"})
	lookups := 0
	f.d.Hosts.NewRemote = func(config.HostEntry) (host.Host, error) {
		lookups++
		return nil, os.ErrDeadlineExceeded
	}
	for _, k := range []string{"s", "S", "R", "i"} {
		if k == "i" {
			f.d.Cfg.Services[3].Host = "db1" // index-linux
		}
		before := lookups
		cmd := f.press(k)
		if lookups != before || cmd == nil {
			t.Fatalf("%s: %d host lookups in Update (command %v)", k, lookups-before, cmd != nil)
		}
		if tm, ok := cmd().(common.ToastMsg); !ok || !tm.Error || lookups == before {
			t.Errorf("%s: the command gave %#v after %d lookups", k, tm, lookups-before)
		}
	}
}

// TestStartKeyOnRunningUnitSaysSo: `s` on nginx, which runs, asks with a
// preview that says start does nothing; confirmed, it runs no systemctl
// start and the outcome says "already running".
func TestStartKeyOnRunningUnitSaysSo(t *testing.T) {
	f := newFixture(t, "en")
	f.refresh(t)
	cm, ok := f.press("s")().(common.ConfirmMsg)
	if !ok || !strings.HasPrefix(cm.Action.Preview[0], "nginx is already running (up, active (running)") {
		t.Fatalf("s on running nginx: %+v", cm)
	}
	f.sc.ResetCalls()
	res := f.d.Gate.Do(context.Background(), cm.Action)
	if res.Err != nil || !strings.Contains(res.Outcome.Summary, "nginx is already running") {
		t.Fatalf("%v %q", res.Err, res.Outcome.Summary)
	}
	for _, c := range f.sc.Calls() {
		if c[0] != "show" {
			t.Errorf("ran %q", c)
		}
	}
}

// TestReadOnlyRefusesWithoutTheQuestion: in read-only mode a stop that
// would ask whether to pause the Mercari check first goes to the gate (to
// be refused) without asking.
func TestReadOnlyRefusesWithoutTheQuestion(t *testing.T) {
	f := newFixture(t, "en")
	f.d.ReadOnly = true
	plain := gate.Action{Name: "svc.stop", Target: "redis"}
	_, cmd := f.tab.Update(riskMsg{plain: plain, paused: gate.Action{Name: "svc.stop", Target: "redis"}, offer: true, lines: []string{"ENDANGERS"}})
	if f.tab.Capturing() || cmd == nil {
		t.Fatal("read-only asked the question")
	}
	if cm, ok := cmd().(common.ConfirmMsg); !ok || cm.Action.Name != "svc.stop" {
		t.Fatalf("%#v", cm)
	}
}
