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
	return checkIndexLinux(ctx, cfg, h, nil)
}

// checkIndexLinux is CheckIndexLinux; a non-nil pm2 is pm2's recent
// answer, used when the health URL and Redis both answer, asked again when
// either fails (pm2's state is then part of the reason).
func checkIndexLinux(ctx context.Context, cfg *config.Config, h host.Host, pm2 *services.Status) IndexLinuxReport {
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
	wg.Add(2)
	askPM2 := func() { rep.PM2 = services.StatusOf(ctx, services.IndexLinuxSpec(cfg), h) }
	if pm2 == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			askPM2()
		}()
	}
	go func() {
		defer wg.Done()
		rep.HTTP = ProbeHTTP(ctx, il.HealthURL, timeout, expect)
	}()
	go func() {
		defer wg.Done()
		rep.Redis = RedisPing(ctx, il.Redis, timeout)
	}()
	wg.Wait()
	if pm2 != nil {
		if rep.HTTP.OK && rep.Redis.OK {
			rep.PM2 = *pm2
		} else {
			askPM2()
		}
	}
	rep.Healthy, rep.Reason = rep.verdict(il.PM2App)
	return rep
}

// Prober is IndexLinuxOn for a loop that probes every minute (the guard):
// while the health URL answers and Redis PONGs, pm2's last "online" is
// reused for up to PM2Every, because every `pm2 jlist` starts Node.js,
// most of a probe's CPU, and a health URL that answers already says the
// app serves. A failing check, a pm2 answer other than online, or an older
// one asks pm2 again at once.
type Prober struct {
	Cfg      *config.Config
	Hosts    *host.Registry
	PM2Every time.Duration
	Now      func() time.Time // time.Now when nil

	mu    sync.Mutex
	pm2   services.Status
	pm2At time.Time
}

// Probe is IndexLinuxOn with pm2's answer reused as Prober says.
func (p *Prober) Probe(ctx context.Context) (bool, string) {
	h, err := p.Hosts.Get(services.IndexLinuxSpec(p.Cfg).Host)
	if err != nil {
		return false, "index-linux host: " + err.Error()
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var recent *services.Status
	if p.pm2.State == services.Up && now().Sub(p.pm2At) < p.PM2Every {
		recent = &p.pm2
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	rep := checkIndexLinux(ctx, p.Cfg, h, recent)
	if asked := recent == nil || !rep.HTTP.OK || !rep.Redis.OK; asked {
		p.pm2, p.pm2At = rep.PM2, now()
	}
	return rep.Healthy, rep.Reason
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
