package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// langShell is newShell with its labels in lang (the App takes its keys'
// labels when it is built).
func langShell(t *testing.T, lang string) shell {
	sh := newShell(t, false)
	sh.deps.Lang = lang
	sh.app = New(sh.deps, sh.app.tabs)
	return sh
}

// The confirm dialog over the shell, at the golden sizes in both
// languages. Update with: go test ./ui/... -run Golden -update
func TestConfirmDialogGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		sh := langShell(t, lang)
		T := sh.deps.T
		act := gate.Action{
			Name: "svc.restart", Target: "nginx", Argv: []string{"systemctl", "restart", "nginx"},
			Preview: []string{
				T("runs: systemctl restart nginx", "実行: systemctl restart nginx"),
				T("then checks: systemctl is-active nginx (up to 20s)", "確認: systemctl is-active nginx（最大 20s）"),
			},
			Run: func(context.Context) (gate.Outcome, error) { return gate.Outcome{}, nil },
		}
		uitest.Golden(t, uitest.Screen(sh.app, w, h, common.ConfirmMsg{Action: act}), w, h)
		if sh.ran.Load() != 0 {
			t.Fatal("the action ran before it was confirmed")
		}
	})
}

// The host picker over the shell with every probe answered (one host
// reachable, one not), at the golden sizes in both languages.
func TestHostPickerGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		sh := langShell(t, lang)
		sh.deps.Cfg.Hosts = append(sh.deps.Cfg.Hosts,
			config.HostEntry{Name: "db1", SSH: "root@db1.example", Roles: []string{"db"}},
			config.HostEntry{Name: "dead", SSH: "root@dead.example", Roles: []string{"app"}},
		)
		sh.app.Update(uitest.Key("H")) // the probes it returns are not run
		if sh.app.picker == nil {
			t.Fatal("H did not open the host picker")
		}
		gen := sh.app.pickGen
		view := uitest.Screen(sh.app, w, h,
			probeMsg{gen: gen, name: "local", probe: host.Probe{Reachable: true, Connect: time.Millisecond, RTT: time.Millisecond}},
			probeMsg{gen: gen, name: "db1", probe: host.Probe{Reachable: true, Connect: 180 * time.Millisecond, RTT: 12 * time.Millisecond}},
			probeMsg{gen: gen, name: "dead", probe: host.Probe{Err: errors.New("ssh: connect to host dead.example port 22: Connection timed out")}},
		)
		uitest.Golden(t, view, w, h)
	})
}

// A typed confirmation answered with the wrong word: the dialog stays
// open, the label names the word, the input holds what was typed and the
// row under it says what must be typed. Nothing ran.
func TestTypedWordWrongGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		sh := langShell(t, lang)
		act := gate.Action{
			Name: "jobs.run", Target: "check_item_yahoo", Danger: "OVERRIDE",
			Preview: []string{"runs: python manage.py check_item_yahoo"},
			Run:     func(context.Context) (gate.Outcome, error) { sh.ran.Add(1); return gate.Outcome{}, nil },
		}
		uitest.Golden(t, uitest.Screen(sh.app, w, h, common.ConfirmMsg{Action: act}, uitest.Key("override"), uitest.Key("enter")), w, h)
		if sh.app.confirm == nil || sh.ran.Load() != 0 {
			t.Fatal("a wrong word closed the dialog or ran the action")
		}
	})
}
