package overview

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ui/common"
)

// missed is the jobs check's item of a missed run of job.
func missed(job string) attention.Report {
	return attention.Report{Source: "jobs", Items: []attention.Item{{Severity: attention.Crit, Source: "jobs",
		Text: job + " MISSED its 03:00 run: run the missed check now", Key: "R", Area: attention.AreaJobs, Subject: job}}}
}

// TestCatchUpKey: R (and enter) on a missed run's item builds its run now
// as a catch-up (the trigger reaches jobs exec) and asks for the confirm;
// the guard's refusal is a toast that says why; read-only refuses.
func TestCatchUpKey(t *testing.T) {
	m, _ := fixture(t)
	m.d.Cfg.App.Dir = t.TempDir()
	old := jobs.ExecWrapper
	t.Cleanup(func() { jobs.ExecWrapper = old })
	jobs.ExecWrapper = func(_ *config.Config, job, trigger, _ string) []string {
		return []string{"richsops", "jobs", "exec", "--trigger", trigger, job, "--"}
	}
	m.Update(missed("check_item_yahoo"))
	if v := m.View(); !strings.Contains(v, "[R]") {
		t.Fatalf("no R beside the item:\n%s", v)
	}
	for _, k := range []tea.KeyPressMsg{{Code: 'R', Text: "R"}, {Code: tea.KeyEnter}} {
		_, cmd := m.Update(k)
		_, cmd = m.Update(cmd())
		c, ok := cmd().(common.ConfirmMsg)
		if !ok || c.Action.Name != "jobs.run" || c.Action.Target != "check_item_yahoo" || !slices.Contains(c.Action.Argv, "catch-up") {
			t.Fatalf("%v: not a catch-up run now: %#v", k, c)
		}
	}

	// No guard check wired: the guarded Mercari job is refused, and said why.
	m.Update(missed("check_item_mercari"))
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'R', Text: "R"})
	_, cmd = m.Update(cmd())
	if toast, ok := cmd().(common.ToastMsg); !ok || !toast.Error || !strings.Contains(toast.Text, "index-linux is unhealthy") {
		t.Fatalf("guard refusal: %#v", toast)
	}

	m.d.ReadOnly = true
	_, cmd = m.Update(tea.KeyPressMsg{Code: 'R', Text: "R"})
	if c, ok := cmd().(common.ConfirmMsg); !ok || c.Action.Name != "jobs.run" {
		t.Fatalf("read-only: %#v", c)
	}
}
