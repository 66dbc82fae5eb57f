package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// pickerShell is the shell with two [[hosts]]: db1 (this machine under
// another name, so it answers) and dead (ssh to a closed loopback port).
func pickerShell(t *testing.T) shell {
	t.Helper()
	sh := newShell(t, false)
	sh.deps.Cfg.Hosts = append(sh.deps.Cfg.Hosts,
		config.HostEntry{Name: "db1", SSH: "root@db1.example", Roles: []string{"db"}},
		config.HostEntry{Name: "dead", SSH: "root@127.0.0.1", Options: []string{"-p", strconv.Itoa(freeport.For(t))}, Roles: []string{"app"}},
	)
	sh.deps.Hosts.NewRemote = func(e config.HostEntry) (host.Host, error) {
		return host.NewSSH(e, host.SSHConfig{NoControlMaster: true, ConnectTimeout: 3 * time.Second})
	}
	sh.deps.Hosts.Set("db1", host.NewLocal())
	return sh
}

// drain runs a Cmd the way the runtime does (batches included) and feeds
// every message back into the app. A probe that hung would fail the test
// at its deadline instead of hanging it.
func drain(t *testing.T, a *App, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("a tea.Cmd did not return within 60s")
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			drain(t, a, c)
		}
	case probeMsg, common.ToastMsg:
		_, next := a.Update(msg)
		_ = next // toast expiry ticks are not needed here
	}
}

func TestHostPickerChoosesAndBroadcasts(t *testing.T) {
	sh := pickerShell(t)
	a := sh.app
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if !strings.Contains(a.statusLine(), "demo-box") {
		t.Fatalf("status line before: %q", a.statusLine())
	}

	_, cmd := a.Update(uitest.Key("H"))
	if a.picker == nil {
		t.Fatal("H did not open the picker")
	}
	view := content(a)
	for _, want := range []string{"local", "db1", "root@db1.example", "dead", "root@127.0.0.1", "probing"} {
		if !strings.Contains(view, want) {
			t.Errorf("picker lacks %q:\n%s", want, view)
		}
	}
	drain(t, a, cmd)
	view = content(a)
	if strings.Contains(view, "probing") {
		t.Errorf("a probe never came back:\n%s", view)
	}
	lines := strings.Split(view, "\n")
	row := func(name string) string {
		for _, l := range lines {
			if strings.Contains(l, " "+name+" ") || strings.Contains(l, common.Marker+name+" ") {
				return l
			}
		}
		t.Fatalf("no row %s in\n%s", name, view)
		return ""
	}
	if r := row("dead"); !strings.Contains(r, "unreachable") {
		t.Errorf("closed port not unreachable: %q", r)
	}
	for _, name := range []string{"local", "db1"} {
		if r := row(name); !strings.Contains(r, "ok ") {
			t.Errorf("%s not ok: %q", name, r)
		}
	}

	// local, db1, dead: j moves to db1, enter chooses it.
	a.Update(uitest.Key("j"))
	_, cmd = a.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if a.picker != nil {
		t.Fatal("enter did not close the picker")
	}
	for _, tab := range a.tabs {
		if got := tab.(*fakeTab).host; got != "db1" {
			t.Errorf("tab %s got host %q, want db1", tab.Title(), got)
		}
	}
	drain(t, a, cmd)
	if sh.deps.Host != "db1" || !strings.Contains(a.statusLine(), "db1 (root@db1.example)") {
		t.Errorf("Host %q, status line %q", sh.deps.Host, a.statusLine())
	}

	// esc closes without a change.
	a.Update(uitest.Key("H"))
	a.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if a.picker != nil || sh.deps.Host != "db1" {
		t.Errorf("esc: picker %v, host %q", a.picker != nil, sh.deps.Host)
	}

	// Back to local: the picker opens on the current host (db1).
	a.Update(uitest.Key("H"))
	a.Update(uitest.Key("k"))
	a.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if sh.deps.Host != "local" || !strings.Contains(a.statusLine(), "demo-box") {
		t.Errorf("Host %q, status line %q", sh.deps.Host, a.statusLine())
	}
	for _, tab := range a.tabs {
		if got := tab.(*fakeTab).host; got != "local" {
			t.Errorf("tab %s got host %q, want local", tab.Title(), got)
		}
	}
}

// The running program: the picker draws the probes as they come, the
// unreachable host does not hold up the others, and choosing db1 changes
// the status line.
func TestHostPickerInTheProgram(t *testing.T) {
	sh := pickerShell(t)
	out := screen(t, sh.app, 100, 30, []string{"H"}, "unreachable")
	if !strings.Contains(out, "Current host") {
		t.Errorf("picker not shown:\n%s", out)
	}

	sh = pickerShell(t)
	out = screen(t, sh.app, 100, 30, []string{"H", "j", "enter"}, "db1 (root@db1.example)")
	if strings.Contains(out, "Current host") {
		t.Errorf("picker still shown:\n%s", out)
	}
}

func TestHostLabel(t *testing.T) {
	d := &common.Deps{Cfg: &config.Config{Hosts: []config.HostEntry{{Name: "db1", SSH: "root@db1.example"}}}, HostLabel: "box"}
	for host, want := range map[string]string{"": "box", "local": "box", "db1": "db1 (root@db1.example)", "gone": "gone"} {
		d.Host = host
		if got := hostLabel(d); got != want {
			t.Errorf("%q: %q, want %q", host, got, want)
		}
	}
}

// Many hosts scroll inside the dialog: the selection stays in view and the
// dialog never grows past the room it is given.
func TestHostPickerScrolls(t *testing.T) {
	sh := newShell(t, false)
	for i := range 30 {
		sh.deps.Cfg.Hosts = append(sh.deps.Cfg.Hosts, config.HostEntry{Name: "srv" + strconv.Itoa(10+i), SSH: "hai@srv.example"})
	}
	p, _ := newHostPicker(sh.deps, 1) // the probes are not run
	for range 40 {
		p.update(uitest.Key("j"))
	}
	v := p.view(80, 18)
	if n := strings.Count(v, "\n") + 1; n > 18 {
		t.Errorf("%d lines:\n%s", n, v)
	}
	if !strings.Contains(v, common.Marker+"srv39") {
		t.Errorf("selection not shown:\n%s", v)
	}
}
