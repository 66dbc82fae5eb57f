package services_test

import (
	"context"
	"strings"
	"testing"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// TestRedisThenIndexLinux runs the runbook's second procedure on a real
// redis-server (a command service) and the real pm2 app, then the real
// index-linux health check.
func TestRedisThenIndexLinux(t *testing.T) {
	t.Parallel() // each has its own pm2 daemon
	r := svctest.NewRedis(t)
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	cfg := pm2Config(pm, dir, freeport.For(t))
	cfg.Services = append(cfg.Services, redisService(r, false))
	cfg.IndexLinux.Redis = r.Addr
	cfg.IndexLinux.RedisService = "redis"
	ctx := context.Background()
	h := host.NewLocal()
	// Both down: the procedure must start them.
	check := func(ctx context.Context) (bool, string) { return health.IndexLinux(ctx, cfg, h) }
	if ok, why := check(ctx); ok {
		t.Fatalf("healthy before anything ran: %s", why)
	}
	a, err := services.RedisThenIndexLinux(cfg, host.NewRegistry(cfg), check)
	if err != nil {
		t.Fatal(err)
	}
	preview := strings.Join(a.Preview, "\n")
	if !strings.Contains(preview, "restart redis") || !strings.Contains(preview, "restart il-test --update-env") {
		t.Errorf("preview:\n%s", preview)
	}
	res := gate.New(false, "").Do(ctx, a)
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, strings.Join(res.Outcome.Details, "\n"))
	}
	if !strings.HasSuffix(res.Outcome.Summary, "; index-linux healthy") {
		t.Errorf("summary = %q", res.Outcome.Summary)
	}
	details := strings.Join(res.Outcome.Details, "\n")
	if i, j := strings.Index(details, "redis-server"), strings.Index(details, "--name il-test"); i < 0 || j < 0 || i > j {
		t.Errorf("Redis was not restarted before index-linux:\n%s", details)
	}
	env := svctest.AppEnv(dir)
	if env["SERVER"] != "srv1" || env["DEBUG"] != "ibiz:*" {
		t.Errorf("app env = %v", env)
	}
}
