package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// TestPausedJobIsAttention: a job paused through the gate (by guard or an
// operator, read back from the audit log) is a warning that says who and
// when; once cron skipped a scheduled run of it, critical; braked,
// critical at once. A job paused
// with no audit record still warns.
func TestPausedJobIsAttention(t *testing.T) {
	ctx := context.Background()
	const job = "check_item_mercari_pz"
	for _, tc := range []struct {
		name     string
		actor    string
		schedule string
		ago      time.Duration // when it was paused
		audited  bool
		sev      int
		text     []string
	}{
		{"guard, nothing skipped", gate.ActorGuard, "0 0 1 1 *", time.Minute, true, attention.Warn,
			[]string{job + ": paused by guard at "}},
		{"guard, a run skipped", gate.ActorGuard, "0 * * * *", 25 * time.Hour, true, attention.Crit,
			[]string{"paused by guard", "scheduled run(s) skipped since"}},
		{"brake, nothing skipped: crit until resumed", gate.ActorBrake, "0 0 1 1 *", time.Minute, true, attention.Crit,
			[]string{job + ": braked by richsops watch at ", "resume with p on the Jobs tab once index-linux answers correctly"}},
		{"operator", "", "0 0 1 1 *", time.Minute, true, attention.Warn, []string{"paused by tester at "}},
		{"by hand", "", "0 0 1 1 *", 0, false, attention.Warn, []string{"paused (not through richsops)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := edittest.Config(t, config.Default())
			cfg.AuditLog = filepath.Join(dir, "audit.jsonl")
			cfg.App.Dir, cfg.App.LogDir = dir, dir
			cfg.Crontab.Path = filepath.Join(dir, "crontab")
			cfg.Crontab.Reload = []string{"true"}
			cfg.Jobs = []config.Job{{Name: job, Log: "m.log"}} // not guarded: no health check to make
			line := tc.schedule + " richs cd /x && python manage.py " + job + " 2 4\n"
			os.WriteFile(cfg.Crontab.Path, []byte(line), 0o644)
			h := edittest.Local(cfg)
			if tc.audited {
				a, err := jobs.PauseAction(ctx, h, cfg, job, false, 0)
				if err != nil {
					t.Fatal(err)
				}
				a.Actor = tc.actor
				g := gate.New(false, cfg.AuditLog)
				g.User = "tester"
				at := time.Now().Add(-tc.ago)
				g.Now = func() time.Time { return at }
				if r := g.Do(ctx, a); r.Err != nil {
					t.Fatal(r.Err)
				}
			} else {
				os.WriteFile(cfg.Crontab.Path, []byte(crontab.PausedPrefix+line), 0o644)
			}
			rep := Jobs(ctx, cfg, host.NewRegistry(cfg))
			if len(rep.Items) != 1 {
				t.Fatalf("items %+v", rep.Items)
			}
			it := rep.Items[0]
			if it.Severity != tc.sev || it.Area != attention.AreaJobs || it.Key != "p" {
				t.Errorf("%+v, want severity %d", it, tc.sev)
			}
			for _, w := range tc.text {
				if !strings.Contains(it.Text, w) {
					t.Errorf("%q lacks %q", it.Text, w)
				}
			}
		})
	}
}
