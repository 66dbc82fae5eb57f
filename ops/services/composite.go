package services

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// HealthCheck says whether index-linux is healthy, and why (health.IndexLinux).
type HealthCheck func(ctx context.Context) (bool, string)

// RedisThenIndexLinux is the runbook's second procedure for a misbehaving
// index-linux, as one action: restart Redis (index_linux.redis_service) and
// wait until it is up again, then restart index-linux under pm2 with its
// configured environment and verify it, then run check (may be nil).
// It stops at the first step that fails.
func RedisThenIndexLinux(cfg *config.Config, hosts *host.Registry, check HealthCheck) (gate.Action, error) {
	redis, err := Find(cfg, cfg.IndexLinux.RedisService)
	if err != nil {
		return gate.Action{}, fmt.Errorf("index_linux.redis_service: %w", err)
	}
	idx := IndexLinuxSpec(cfg)
	rh, err := hosts.Get(redis.Host)
	if err != nil {
		return gate.Action{}, err
	}
	ih, err := hosts.Get(idx.Host)
	if err != nil {
		return gate.Action{}, err
	}
	first, err := Action(redis, rh, Restart)
	if err != nil {
		return gate.Action{}, err
	}
	second, err := Action(idx, ih, Restart)
	if err != nil {
		return gate.Action{}, err
	}
	a := gate.Action{
		Name:   "services.redis-then-index-linux",
		Target: redis.Name + "," + idx.Name,
		Host:   idx.Host,
		Argv:   first.Argv,
	}
	t := cfg.T
	a.Preview = append(a.Preview, fmt.Sprintf(t("1. restart %s:", "1. %s を再起動:"), redis.Name))
	for _, l := range first.Preview {
		a.Preview = append(a.Preview, "   "+l)
	}
	a.Preview = append(a.Preview, fmt.Sprintf(t("2. then restart %s:", "2. 続けて %s を再起動:"), idx.Name))
	for _, l := range second.Preview {
		a.Preview = append(a.Preview, "   "+l)
	}
	if check != nil {
		a.Preview = append(a.Preview, t("3. then check index-linux health (pm2 online, health URL, Redis PING)",
			"3. 続けて index-linux の状態を確認（pm2 online、ヘルス URL、Redis PING）"))
	}
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		var out gate.Outcome
		o1, err := first.Run(ctx)
		out.Details = append(out.Details, o1.Details...)
		if err != nil {
			out.Summary = fmt.Sprintf(t("%s restart failed; %s was not touched", "%s の再起動に失敗。%s には触れていません"), redis.Name, idx.Name)
			return out, err
		}
		o2, err := second.Run(ctx)
		out.Details = append(out.Details, o2.Details...)
		if err != nil {
			out.Summary = fmt.Sprintf(t("%s restarted; %s restart failed", "%s を再起動。%s の再起動に失敗"), redis.Name, idx.Name)
			return out, err
		}
		out.Details = append(out.Details, o1.Summary, o2.Summary)
		out.Summary = fmt.Sprintf(t("%s restarted, then %s restarted", "%s を再起動し、続けて %s を再起動しました"), redis.Name, idx.Name)
		if check != nil {
			// A Node app is "online" in pm2 before its management server
			// listens: give it a while before calling it unhealthy.
			ok, why := waitHealthy(ctx, check, HealthWait)
			out.Details = append(out.Details, t("health: ", "ヘルスチェック: ")+why)
			if !ok {
				return out, config.Errorf(t, "both restarted, but index-linux is unhealthy: %s", "両方とも再起動しましたが、index-linux が異常です: %s", why)
			}
			out.Summary += t("; index-linux healthy", "。index-linux は正常")
		}
		return out, nil
	}
	return a, nil
}

// HealthWait is how long RedisThenIndexLinux waits for index-linux to
// answer after its restart.
var HealthWait = 30 * time.Second

func waitHealthy(ctx context.Context, check HealthCheck, limit time.Duration) (bool, string) {
	deadline := time.Now().Add(limit)
	for {
		ok, why := check(ctx)
		if ok || time.Now().After(deadline) || ctx.Err() != nil {
			return ok, why
		}
		select {
		case <-ctx.Done():
			return ok, why
		case <-time.After(500 * time.Millisecond):
		}
	}
}
