package dbview

import (
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// offlineTab is the tab on the default config: the prompts are checked
// before any server is asked.
func offlineTab(t *testing.T, readOnly bool) *Tab {
	t.Helper()
	cfg := config.Default()
	d := &common.Deps{Cfg: cfg, Gate: gate.New(readOnly, ""), Hosts: host.NewRegistry(cfg), Lang: "en", ReadOnly: readOnly,
		Styles: common.DefaultStyles(), Now: time.Now}
	tab := New(d).(*Tab)
	if tab.db == nil {
		t.Skipf("no database handle: %v", tab.dbErr)
	}
	tab.SetSize(80, 20)
	tab.status = nil
	return tab
}

// TestBadValueKeepsThePrompt: a value the prompt cannot use keeps it open
// with the text and the reason under it; the keys typed next still go to
// it, never to the tab.
func TestBadValueKeepsThePrompt(t *testing.T) {
	for _, tc := range []struct{ key, typed, want string }{
		{"D", "ten", "whole number"},
		{"T", "yesterday", "yesterday"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			tab := offlineTab(t, false)
			tab.status = emptyStatus()
			tab.status.Server = &mysql.Server{} // up: the keys that need it ask
			update(t, tab, uitest.Key(tc.key))
			update(t, tab, uitest.Key("ctrl+u"))
			update(t, tab, uitest.Key(tc.typed))
			if cmd := update(t, tab, uitest.Key("enter")); cmd != nil {
				t.Fatalf("a bad value went on: %#v", cmd())
			}
			v := uitest.Plain(tab.View())
			if !tab.Capturing() || !strings.Contains(v, "> "+tc.typed) || !strings.Contains(v, tc.want) {
				t.Fatalf("the prompt closed, lost the text or gave no reason:\n%s", v)
			}
			update(t, tab, uitest.Key("esc"))
			if tab.Capturing() || strings.Contains(uitest.Plain(tab.View()), tc.want) {
				t.Fatalf("esc left the prompt or its error:\n%s", tab.View())
			}
		})
	}
}

// TestReadOnlyRefusesBeforeThePrompt: in read-only mode D and T go to the
// gate at once (refused and audited there) instead of asking for a value.
func TestReadOnlyRefusesBeforeThePrompt(t *testing.T) {
	for key, name := range map[string]string{"D": "db.expire", "T": "db.purge"} {
		tab := offlineTab(t, true)
		cmd := update(t, tab, uitest.Key(key))
		if tab.Capturing() {
			t.Fatalf("%s opened a prompt in read-only mode", key)
		}
		cm, ok := call(t, cmd).(common.ConfirmMsg)
		if !ok || cm.Action.Name != name {
			t.Fatalf("%s: %#v", key, cm)
		}
		if r := tab.d.Gate.Do(t.Context(), cm.Action); r.Err != gate.ErrReadOnly {
			t.Fatalf("%s: the gate did not refuse: %v", key, r.Err)
		}
	}
}

func emptyStatus() *mysql.Status { return &mysql.Status{At: time.Now()} }
