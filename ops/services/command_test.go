package services_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

func redisService(r *svctest.Redis, withRestart bool) config.Service {
	s := config.Service{Name: "redis", Kind: "command", Start: r.Start, Stop: r.Stop, Status: r.Status,
		PIDFile: r.PIDFile, Timeout: config.Duration{Duration: 30 * time.Second}}
	if withRestart {
		// A restart command of its own: stop, then start, in one argv.
		s.Restart = []string{"sh", "-c", `"$@"; for i in $(seq 100); do [ -e "$0" ] || break; sleep 0.1; done; exec ` + shellJoin(r.Start), r.PIDFile}
		s.Restart = append(s.Restart, r.Stop...)
	}
	return s
}

func shellJoin(argv []string) string { return host.ShellQuote(argv) }

// TestCommandServiceRealRedis drives a real redis-server through a
// plain-command service: start, PING, restart (a new pid), stop.
func TestCommandServiceRealRedis(t *testing.T) {
	for _, ownRestart := range []bool{false, true} {
		name := "stop-then-start"
		if ownRestart {
			name = "restart-argv"
		}
		t.Run(name, func(t *testing.T) {
			r := svctest.NewRedis(t)
			cfg := config.Default()
			cfg.Services = []config.Service{redisService(r, ownRestart)}
			spec, err := services.Find(cfg, "redis")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			h := host.NewLocal()
			g := gate.New(false, "")
			if st := services.StatusOf(ctx, spec, h); st.State != services.Down {
				t.Fatalf("before start: %+v", st)
			}
			if p := health.RedisPing(ctx, r.Addr, 2*time.Second); p.OK {
				t.Fatal("PING answered before start")
			}
			do := func(v services.Verb) services.Status {
				t.Helper()
				a, err := services.Action(spec, h, v)
				if err != nil {
					t.Fatal(err)
				}
				res := g.Do(ctx, a)
				if res.Err != nil {
					t.Fatalf("%s: %v\n%s", v, res.Err, strings.Join(res.Outcome.Details, "\n"))
				}
				return services.StatusOf(ctx, spec, h)
			}
			st := do(services.Start)
			if st.State != services.Up || st.PID == 0 || st.Since.IsZero() || st.Detail != "PONG" {
				t.Fatalf("after start: %+v", st)
			}
			if p := health.RedisPing(ctx, r.Addr, 5*time.Second); !p.OK {
				t.Fatalf("PING after start: %+v", p)
			}
			st2 := do(services.Restart)
			if st2.State != services.Up || st2.PID == st.PID {
				t.Fatalf("after restart: %+v (pid before %d)", st2, st.PID)
			}
			if p := health.RedisPing(ctx, r.Addr, 5*time.Second); !p.OK {
				t.Fatalf("PING after restart: %+v", p)
			}
			if st := do(services.Stop); st.State != services.Down {
				t.Fatalf("after stop: %+v", st)
			}
			if p := health.RedisPing(ctx, r.Addr, 2*time.Second); p.OK {
				t.Fatal("PING answered after stop")
			}
		})
	}
}

func TestCommandServiceWithoutStatusIsUnknown(t *testing.T) {
	cfg := config.Default()
	cfg.Services = []config.Service{{Name: "x", Kind: "command", Start: []string{"true"}, Stop: []string{"true"}}}
	spec, _ := services.Find(cfg, "x")
	if st := services.StatusOf(context.Background(), spec, host.NewLocal()); st.State != services.Unknown {
		t.Fatalf("state = %s", st.State)
	}
	if _, err := services.Action(spec, host.NewLocal(), services.Reload); err == nil {
		t.Fatal("reload of a command service was allowed")
	}
}
