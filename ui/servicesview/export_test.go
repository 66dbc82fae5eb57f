package servicesview

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/services"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// GoldenData is fixed services for the golden screens (golden_test.go),
// which run the tab inside the App: deps in lang with a frozen clock and
// one snapshot (nginx up, crond down, redis and index-linux degraded, a
// failing probe).
func GoldenData(lang string) (*common.Deps, []tea.Msg) {
	now := uitest.Frozen
	cfg := config.Default()
	timeout := config.Duration{Duration: 20 * time.Second}
	cfg.Services = []config.Service{
		{Name: "nginx", Kind: "systemd", Unit: "nginx", Log: "journal", Timeout: timeout},
		{Name: "crond", Kind: "systemd", Unit: "crond", Timeout: timeout},
		{Name: "redis", Kind: "command", Start: []string{"true"}, Stop: []string{"true"}, Status: []string{"redis-cli", "ping"}},
		{Name: "index-linux", Kind: "pm2", App: "index-linux"},
	}
	cfg.IndexLinux.Redis = "127.0.0.1:6379"
	cfg.Probes = []config.Probe{
		{Name: "index-linux", URL: "http://127.0.0.1:3000/health", Timeout: config.Duration{Duration: time.Second}},
		{Name: "captcha", URL: "http://127.0.0.1:8000/amazon/captcha/", Timeout: config.Duration{Duration: time.Second}},
	}
	d := uitest.GoldenDeps(cfg, lang)
	snap := health.Snapshot{At: now, Services: []services.Status{
		{Name: "nginx", Kind: "systemd", Host: "local", State: services.Up, Detail: "active (running)", Since: now.Add(-72 * time.Hour), PID: 1201,
			CanReload: true, LoadState: "loaded", UnitFileState: "enabled", CheckedAt: now},
		{Name: "crond", Kind: "systemd", Host: "local", State: services.Down, Detail: "inactive (dead)", Since: now.Add(-10 * time.Minute),
			LoadState: "loaded", UnitFileState: "enabled", CheckedAt: now},
		{Name: "redis", Kind: "command", Host: "local", State: services.Up, Detail: "PONG", CheckedAt: now},
		{Name: "index-linux", Kind: "pm2", Host: "local", State: services.Degraded, Detail: "online", Since: now.Add(-90 * time.Second), PID: 4242,
			Restarts: 17, Memory: 310 << 20, CPU: 12.5, Env: map[string]string{"DEBUG": "ibiz:foo"},
			EnvMismatch: []string{"DEBUG: want ibiz:*, in force ibiz:foo"}, CheckedAt: now},
	}, Probes: []health.HTTPResult{
		{Name: "index-linux", URL: "http://127.0.0.1:3000/health", OK: true, Status: 200, Latency: 12 * time.Millisecond, At: now},
		{Name: "captcha", URL: "http://127.0.0.1:8000/amazon/captcha/", Status: 0, Latency: time.Second, Problem: "timeout",
			Err: "no answer within 1s", At: now},
	}, Redis: health.RedisResult{Addr: "127.0.0.1:6379", OK: true, Latency: 300 * time.Microsecond, At: now}}
	return d, []tea.Msg{snapshotMsg{snap: snap}}
}
