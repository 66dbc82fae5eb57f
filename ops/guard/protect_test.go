package guard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// TestProtectLeavesTheServiceWhenThePauseFails: the job's own line changes
// between the dialog and yes, so the pause is refused ("changed
// meanwhile"); the Redis stop after it must not run.
func TestProtectLeavesTheServiceWhenThePauseFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	marker := filepath.Join(dir, "redis-stopped")
	cfg := edittest.Config(t, config.Default())
	cfg.App.Dir, cfg.App.LogDir = dir, dir
	cfg.Crontab.Path, cfg.Crontab.Reload = filepath.Join(dir, "crontab"), []string{"true"}
	job := "check_item_mercari_pf"
	cfg.Jobs = []config.Job{{Name: job, Guard: "index-linux", Log: "m.log"}}
	cfg.Guard.Jobs = []string{job}
	cfg.Services = []config.Service{{Name: "redis", Kind: "command", Stop: []string{"touch", marker}, Status: []string{"false"},
		Timeout: config.Duration{Duration: 5 * time.Second}}}
	line := "0 3,15 * * * richs python manage.py " + job + " 2 4\n"
	os.WriteFile(cfg.Crontab.Path, []byte(line), 0o644)
	hosts := host.NewRegistry(cfg)

	if !guard.Endangers(cfg, "redis", services.Stop) || guard.Endangers(cfg, "redis", services.Start) {
		t.Fatal("a Redis stop endangers the Mercari check; a start does not")
	}
	r, err := guard.RiskOf(ctx, cfg, hosts, "redis", services.Stop)
	if err != nil || len(r.Jobs) != 1 || r.Jobs[0].Next.IsZero() {
		t.Fatalf("risk %+v %v", r, err)
	}
	spec, err := services.Find(cfg, "redis")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Action(spec, host.NewLocal(), services.Stop)
	if err != nil {
		t.Fatal(err)
	}
	a, err := guard.Protect(ctx, cfg, hosts, svc, services.Stop, r, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg.Crontab.Path, []byte(strings.Replace(line, "0 3,15", "0 4,16", 1)), 0o644) // someone else's edit of the job's line
	res := gate.New(false, "").Do(ctx, a)
	if res.Err == nil || !strings.Contains(res.Outcome.Summary, "redis not touched") {
		t.Fatalf("%v %+v", res.Err, res.Outcome)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("Redis was stopped although the pause failed")
	}
}
