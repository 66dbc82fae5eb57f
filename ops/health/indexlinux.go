package health

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/services"
)

// IndexLinuxReport is the three checks behind the index-linux verdict.
type IndexLinuxReport struct {
	PM2     services.Status `json:"pm2"`
	HTTP    HTTPResult      `json:"http"`
	Redis   RedisResult     `json:"redis"`
	Healthy bool            `json:"healthy"`
	Reason  string          `json:"reason"`
}

// CheckIndexLinux runs the three checks in parallel: the pm2 app is online
// (on h, where pm2 runs), its health URL answers, and Redis answers PING.
// Timeouts come from the probe named like the app (else DefaultTimeout).
func CheckIndexLinux(ctx context.Context, cfg *config.Config, h host.Host) IndexLinuxReport {
	il := cfg.IndexLinux
	timeout := DefaultTimeout
	expect := 0
	for _, p := range cfg.Probes {
		if p.URL == il.HealthURL && p.Timeout.Duration > 0 {
			timeout, expect = p.Timeout.Duration, p.Expect
			break
		}
	}
	var rep IndexLinuxReport
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		rep.PM2 = services.StatusOf(ctx, services.IndexLinuxSpec(cfg), h)
	}()
	go func() {
		defer wg.Done()
		rep.HTTP = ProbeHTTP(ctx, il.HealthURL, timeout, expect)
	}()
	go func() {
		defer wg.Done()
		rep.Redis = RedisPing(ctx, il.Redis, timeout)
	}()
	wg.Wait()
	rep.Healthy, rep.Reason = rep.verdict(il.PM2App)
	return rep
}

// verdict: healthy only when all three pass; the reason names every
// failing check first, then the passing ones.
func (rep IndexLinuxReport) verdict(app string) (bool, string) {
	var bad, good []string
	switch rep.PM2.State {
	case services.Up:
		good = append(good, fmt.Sprintf("pm2 %s online (pid %d)", app, rep.PM2.PID))
	default:
		bad = append(bad, fmt.Sprintf("pm2 %s is %s: %s", app, rep.PM2.State, rep.PM2.Detail))
	}
	if rep.HTTP.OK {
		good = append(good, fmt.Sprintf("health URL %d in %s", rep.HTTP.Status, human.Duration(rep.HTTP.Latency)))
	} else {
		bad = append(bad, "health URL "+rep.HTTP.URL+": "+rep.HTTP.Err)
	}
	if rep.Redis.OK {
		good = append(good, "Redis PONG in "+human.Duration(rep.Redis.Latency))
	} else {
		bad = append(bad, "Redis "+rep.Redis.Addr+": "+rep.Redis.Err)
	}
	return len(bad) == 0, strings.Join(append(bad, good...), "; ")
}

// IndexLinux says whether index-linux is healthy enough for a Mercari
// stock check, and why not: pm2 app online on h, health URL answering,
// Redis answering PING. The whole check is bounded by 15 s.
func IndexLinux(ctx context.Context, cfg *config.Config, h host.Host) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	rep := CheckIndexLinux(ctx, cfg, h)
	return rep.Healthy, rep.Reason
}

// IndexLinuxOn is IndexLinux with the host taken from the registry: the
// host of index-linux's [[services]] entry (local when it names none).
func IndexLinuxOn(ctx context.Context, cfg *config.Config, hosts *host.Registry) (bool, string) {
	h, err := hosts.Get(services.IndexLinuxSpec(cfg).Host)
	if err != nil {
		return false, "index-linux host: " + err.Error()
	}
	return IndexLinux(ctx, cfg, h)
}

// Probe runs one configured probe.
func Probe(ctx context.Context, p config.Probe) HTTPResult {
	r := ProbeHTTP(ctx, p.URL, p.Timeout.Duration, p.Expect)
	r.Name = p.Name
	return r
}

// ProbeAll runs every configured probe in parallel, in config order.
func ProbeAll(ctx context.Context, probes []config.Probe) []HTTPResult {
	out := make([]HTTPResult, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = Probe(ctx, p)
		}()
	}
	wg.Wait()
	return out
}
