package health

import (
	"context"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// Snapshot is everything the Services tab and `svc list` show at once.
type Snapshot struct {
	Services []services.Status `json:"services"`
	Probes   []HTTPResult      `json:"probes"`
	Redis    RedisResult       `json:"redis"`
	At       time.Time         `json:"at"`
}

// Collect reads the services, runs the probes and pings Redis, all in
// parallel; each part has its own timeout, so the whole is bounded by the
// slowest probe.
func Collect(ctx context.Context, cfg *config.Config, hosts *host.Registry) Snapshot {
	s := Snapshot{At: time.Now()}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		s.Services = services.StatusAll(ctx, cfg, hosts)
	}()
	go func() {
		defer wg.Done()
		s.Probes = ProbeAll(ctx, cfg.Probes)
	}()
	go func() {
		defer wg.Done()
		s.Redis = RedisPing(ctx, cfg.IndexLinux.Redis, DefaultTimeout)
	}()
	wg.Wait()
	return s
}
