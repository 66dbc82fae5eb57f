package jobsview

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/jobs"
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

// TestBlockRefusalOffersOverride: run now refused for an Amazon block
// says so and offers O, which asks again with the override.
func TestBlockRefusalOffersOverride(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(120, 30)
	tab, _ = tab.Update(snapshot(d))
	name := d.Cfg.Jobs[0].Name
	refusal := &jobs.BlockError{Job: name, Block: &jobs.Block{Since: d.Now().Add(-time.Hour), Hits: 37}}
	tab, _ = tab.Update(checkedMsg{spec: jobs.RunSpec{Job: name}, err: refusal})
	v := strings.Join(strings.Fields(uitest.Plain(tab.View())), " ")
	if !strings.Contains(v, "press O to override") || !strings.Contains(v, "37 503(s) in the last hour") {
		t.Fatalf("no override offered:\n%s", tab.View())
	}
	_, cmd := tab.Update(uitest.Key("O"))
	if m, ok := cmd().(checkedMsg); !ok || !m.spec.Override || m.spec.Job != name {
		t.Fatalf("O: %#v", m)
	}
}
