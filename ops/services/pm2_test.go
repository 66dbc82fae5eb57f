package services_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// pm2Config is a config whose index-linux is the env-reporting Node app
// under an isolated pm2.
func pm2Config(pm *svctest.PM2, dir string, port int) *config.Config {
	cfg := config.Default()
	cfg.IndexLinux.PM2App = "il-test"
	cfg.IndexLinux.Path = dir
	cfg.IndexLinux.Script = "app.js"
	cfg.IndexLinux.Env = map[string]string{"SERVER": "srv1", "DEBUG": "ibiz:*", "NODE_ENV": "production", "APP_PORT": strconv.Itoa(port)}
	cfg.IndexLinux.HealthURL = "http://127.0.0.1:" + strconv.Itoa(port) + "/health"
	cfg.Services = []config.Service{{Name: "index-linux", Kind: "pm2", App: "il-test", PM2: pm.Argv, Timeout: config.Duration{Duration: 30 * time.Second}}}
	return cfg
}

func doAction(t *testing.T, spec services.Spec, v services.Verb) gate.Result {
	t.Helper()
	a, err := services.Action(spec, host.NewLocal(), v)
	if err != nil {
		t.Fatal(err)
	}
	res := gate.New(false, "").Do(context.Background(), a)
	if res.Err != nil {
		t.Fatalf("%s: %v\n%s", v, res.Err, strings.Join(res.Outcome.Details, "\n"))
	}
	return res
}

// waitAppEnv waits until the app has (re)started with pid != old and
// returns what it says its environment is.
func waitAppEnv(t *testing.T, dir, oldPID string) map[string]string {
	t.Helper()
	var env map[string]string
	svctest.Eventually(t, 30*time.Second, "the app reports its env", func() bool {
		env = svctest.AppEnv(dir)
		return env != nil && env["pid"] != oldPID
	})
	return env
}

// TestPM2EnvInForce runs the real pm2: a first start, a restart after the
// configured env changed (pm2 froze the first one), a stop and a start; the
// app itself reports the environment it got, and pm2 jlist must agree.
func TestPM2EnvInForce(t *testing.T) {
	t.Parallel() // each has its own pm2 daemon
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	cfg := pm2Config(pm, dir, freeport.For(t))
	spec := services.IndexLinuxSpec(cfg)
	ctx := context.Background()
	h := host.NewLocal()

	if st := services.StatusOf(ctx, spec, h); st.State != services.Down || st.Detail != "not in pm2's list" {
		t.Fatalf("before: %+v", st)
	}
	res := doAction(t, spec, services.Start)
	if !strings.Contains(strings.Join(res.Outcome.Details, "\n"), " start "+filepath.Join(dir, "app.js")+" --name il-test") {
		t.Errorf("first start did not use pm2 start: %q", res.Outcome.Details)
	}
	env := waitAppEnv(t, dir, "")
	for k, v := range cfg.IndexLinux.Env {
		if env[k] != v {
			t.Errorf("app sees %s=%q, want %q", k, env[k], v)
		}
	}
	st := services.StatusOf(ctx, spec, h)
	if st.State != services.Up || strconv.Itoa(st.PID) != env["pid"] || len(st.EnvMismatch) != 0 || st.Env["DEBUG"] != "ibiz:*" {
		t.Fatalf("after start: %+v (app pid %s)", st, env["pid"])
	}

	// The operator changes the env in the config: a restart must bring
	// the new values into force, not the ones pm2 froze at first start.
	cfg.IndexLinux.Env["SERVER"] = "srv2"
	cfg.IndexLinux.Env["DEBUG"] = "ibiz:scan"
	spec = services.IndexLinuxSpec(cfg)
	if st := services.StatusOf(ctx, spec, h); st.State != services.Degraded || len(st.EnvMismatch) != 2 {
		t.Errorf("config changed, app not restarted: want degraded with 2 mismatches, got %+v", st)
	}
	doAction(t, spec, services.Restart)
	env = waitAppEnv(t, dir, env["pid"])
	if env["SERVER"] != "srv2" || env["DEBUG"] != "ibiz:scan" || env["NODE_ENV"] != "production" {
		t.Fatalf("after restart the app sees %v", env)
	}
	if st := services.StatusOf(ctx, spec, h); st.State != services.Up || st.Env["SERVER"] != "srv2" || st.Restarts < 1 {
		t.Fatalf("after restart: %+v", st)
	}

	doAction(t, spec, services.Stop)
	if st := services.StatusOf(ctx, spec, h); st.State != services.Down || st.Detail != "stopped" || st.PID != 0 {
		t.Fatalf("after stop: %+v", st)
	}
	doAction(t, spec, services.Start)
	env = waitAppEnv(t, dir, env["pid"])
	if env["SERVER"] != "srv2" {
		t.Fatalf("after stop+start the app sees %v", env)
	}
	if r := health.ProbeHTTP(ctx, cfg.IndexLinux.HealthURL, 5*time.Second, 0); !r.OK {
		t.Errorf("app health: %+v", r)
	}
}

// TestPM2DeleteAndStartWhenUpdateEnvIsIgnored uses a pm2 wrapper that drops
// --update-env (as an old pm2 would): the env stays frozen, so the action
// must fall back to delete + start and verify the env then.
func TestPM2DeleteAndStartWhenUpdateEnvIsIgnored(t *testing.T) {
	t.Parallel() // each has its own pm2 daemon
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	wrapper := filepath.Join(t.TempDir(), "pm2-old")
	script := "#!/bin/bash\nargs=()\nfor a in \"$@\"; do [ \"$a\" = --update-env ] || args+=(\"$a\"); done\nexec " + pm.Argv[2] + " \"${args[@]}\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := pm2Config(pm, dir, 0)
	delete(cfg.IndexLinux.Env, "APP_PORT")
	cfg.Services[0].PM2 = []string{pm.Argv[0], pm.Argv[1], wrapper}
	spec := services.IndexLinuxSpec(cfg)
	doAction(t, spec, services.Start)
	env := waitAppEnv(t, dir, "")

	cfg.IndexLinux.Env["SERVER"] = "srv9"
	spec = services.IndexLinuxSpec(cfg)
	res := doAction(t, spec, services.Restart)
	details := strings.Join(res.Outcome.Details, "\n")
	if !strings.Contains(details, "deleting and starting afresh") || !strings.Contains(details, " delete il-test") {
		t.Errorf("no delete+start fallback: %s", details)
	}
	// The plain restart before the fallback also gives a new pid (with the
	// old env): wait for the instance that delete+start brought up.
	svctest.Eventually(t, 30*time.Second, "the app started afresh reports SERVER=srv9", func() bool {
		env = svctest.AppEnv(dir)
		return env != nil && env["SERVER"] == "srv9"
	})
}

// TestPM2StatusReadsShareOneJList: status reads of the same pm2 at the same
// moment (a checks pass) run one `pm2 jlist` of the real pm2, counted by a
// wrapper that takes a second; a read after it finished asks again, so a
// shared answer is never stale.
func TestPM2StatusReadsShareOneJList(t *testing.T) {
	pm := svctest.NewPM2(t)
	count := filepath.Join(t.TempDir(), "jlist-count")
	spec := services.IndexLinuxSpec(pm2Config(pm, t.TempDir(), freeport.For(t)))
	spec.PM2 = append([]string{"sh", "-c", `sleep 1; echo >> "$0"; exec "$@"`, count}, pm.Argv...)
	jlists := func() int {
		b, _ := os.ReadFile(count)
		return strings.Count(string(b), "\n")
	}
	var wg sync.WaitGroup
	states := make([]services.State, 3)
	for i := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			states[i] = services.StatusOf(context.Background(), spec, host.NewLocal()).State
		}()
	}
	wg.Wait()
	if n := jlists(); n != 1 {
		t.Fatalf("3 reads at once ran %d jlist, want 1", n)
	}
	for i, st := range states {
		if st != services.Down {
			t.Errorf("read %d: %s, want down (the app is not in pm2's list)", i, st)
		}
	}
	services.StatusOf(context.Background(), spec, host.NewLocal())
	if n := jlists(); n != 2 {
		t.Fatalf("a later read ran %d jlist in all, want 2", n)
	}
}
