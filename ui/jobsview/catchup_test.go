package jobsview

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ui/uitest"
)

// TestRunOfMissedIsCatchUp: R on a job whose run was missed asks for its
// run now with the trigger catch-up (what jobs exec records); on another
// job it stays the console's.
func TestRunOfMissedIsCatchUp(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(120, 30)
	tab, _ = tab.Update(snapshot(d))
	for _, c := range []struct {
		keys    []string
		trigger string
	}{{[]string{"R"}, history.TriggerCatchUp}, {[]string{"j", "R"}, ""}} {
		at := tab
		var last tea.Msg
		for _, k := range c.keys {
			var cmd tea.Cmd
			at, cmd = at.Update(uitest.Key(k))
			if cmd != nil {
				last = cmd()
			}
		}
		if m, ok := last.(checkedMsg); !ok || m.spec.Trigger != c.trigger {
			t.Errorf("%v: %#v, want trigger %q", c.keys, last, c.trigger)
		}
	}
}
