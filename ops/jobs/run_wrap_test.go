package jobs

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/config"
)

// Run now through the waiting parent: the preview and the audited argv are
// the command that runs, wrapper included, and still name app.user.
func TestRunPreviewShowsTheWrapper(t *testing.T) {
	cfg := newApp(t)
	saved := ExecWrapper
	t.Cleanup(func() { ExecWrapper = saved })
	ExecWrapper = func(_ *config.Config, job, trigger, user string) []string {
		return []string{"/usr/local/bin/richsops", "jobs", "exec", "--trigger", trigger, "--user", user, job, "--"}
	}
	a, err := RunAction(context.Background(), edittest.Local(cfg), cfg, RunSpec{Job: yahoo}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Argv) < 2 || a.Argv[0] != "/usr/local/bin/richsops" || !slices.Contains(a.Argv, "manage.py") {
		t.Errorf("audited argv %q", a.Argv)
	}
	p := strings.Join(a.Preview, "\n")
	if !strings.Contains(p, "richsops jobs exec --trigger console --user "+cfg.App.User+" "+yahoo+" -- ") || !strings.Contains(p, "as "+cfg.App.User+" ") {
		t.Errorf("preview:\n%s", p)
	}
}
