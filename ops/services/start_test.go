package services_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// TestStartRunningPM2AppDoesNothing runs the real pm2: start of an online
// app used to go through `pm2 restart` (restarts 0 -> 1, a new pid). Now
// the preview says it already runs, and the action leaves it alone.
func TestStartRunningPM2AppDoesNothing(t *testing.T) {
	t.Parallel() // its own pm2 daemon
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	cfg := pm2Config(pm, dir, 0)
	delete(cfg.IndexLinux.Env, "APP_PORT")
	spec := services.IndexLinuxSpec(cfg)
	ctx, h := context.Background(), host.NewLocal()
	doAction(t, spec, services.Start)
	env := waitAppEnv(t, dir, "")
	before := services.StatusOf(ctx, spec, h)
	if before.State != services.Up {
		t.Fatalf("after the first start: %+v", before)
	}

	spec.Learn(before)
	a, err := services.Action(spec, h, services.Start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Preview[0], "index-linux is already running (up, online, pid ") {
		t.Errorf("preview does not say it runs: %q", a.Preview)
	}
	res := gate.New(false, "").Do(ctx, a)
	if res.Err != nil || !strings.Contains(res.Outcome.Summary, "already running") {
		t.Fatalf("start of a running app: %v, %q", res.Err, res.Outcome.Summary)
	}
	after := services.StatusOf(ctx, spec, h)
	if after.PID != before.PID || after.Restarts != before.Restarts || svctest.AppEnv(dir)["pid"] != env["pid"] {
		t.Fatalf("start restarted it: before %+v, after %+v", before, after)
	}
}

// TestStartActiveUnitDoesNothing: systemctl start of an active unit would
// be a no-op; richsops says so before (preview) and runs nothing but show.
func TestStartActiveUnitDoesNothing(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("redis", "active", false)
	cfg := unitConfig(sc, config.Service{Name: "redis"})
	cfg.Lang = "ja"
	spec, _ := services.Find(cfg, "redis")
	h := host.NewLocal()
	spec.Learn(services.StatusOf(context.Background(), spec, h))
	a, err := services.Action(spec, h, services.Start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Preview[0], "redis はすでに稼働中です（稼働、active (running)") {
		t.Errorf("preview = %q", a.Preview)
	}
	sc.ResetCalls()
	res := gate.New(false, "").Do(context.Background(), a)
	if res.Err != nil || !strings.Contains(res.Outcome.Summary, "すでに稼働中") {
		t.Fatalf("%v, %q", res.Err, res.Outcome.Summary)
	}
	for _, c := range sc.Calls() {
		if !reflect.DeepEqual(c[:1], []string{"show"}) {
			t.Errorf("ran %q", c)
		}
	}
}
