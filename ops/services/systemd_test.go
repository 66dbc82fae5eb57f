package services_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

// unitConfig is a config whose systemd services use the stand-in.
func unitConfig(sc *svctest.Systemctl, svcs ...config.Service) *config.Config {
	cfg := config.Default()
	for i := range svcs {
		if svcs[i].Kind == "" {
			svcs[i].Kind = "systemd"
		}
		if sc != nil {
			svcs[i].Systemctl = []string{sc.Path}
		}
	}
	cfg.Services = svcs
	return cfg
}

func argv(s ...string) []string { return s }

func TestSystemdStatusOneCall(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", true)
	sc.Unit("crond", "inactive", true)
	sc.Unit("zabbix-agent", "failed", false)
	cfg := unitConfig(sc,
		config.Service{Name: "nginx"},
		config.Service{Name: "crond"},
		config.Service{Name: "zabbix-agent"},
		config.Service{Name: "gone", Unit: "gone"},
	)
	sts := services.StatusAll(context.Background(), cfg, host.NewRegistry(cfg))
	want := []struct {
		state services.State
		pid   int
	}{{services.Up, 321}, {services.Down, 0}, {services.Down, 0}, {services.Unknown, 0}}
	for i, w := range want {
		if sts[i].State != w.state || sts[i].PID != w.pid {
			t.Errorf("%s: got %s pid %d (%s), want %s pid %d", sts[i].Name, sts[i].State, sts[i].PID, sts[i].Detail, w.state, w.pid)
		}
	}
	if !sts[0].CanReload || sts[2].CanReload {
		t.Errorf("CanReload from systemctl: nginx %v, zabbix %v", sts[0].CanReload, sts[2].CanReload)
	}
	if got := sts[0].Since.UTC().Format(time.DateTime); got != "2026-11-26 10:00:00" {
		t.Errorf("since = %s", got)
	}
	if !strings.Contains(sts[3].Detail, "not found") {
		t.Errorf("missing unit detail = %q", sts[3].Detail)
	}
	calls := sc.Calls()
	wantCalls := [][]string{argv("show", "-p", services.ShowProps, "nginx", "crond", "zabbix-agent", "gone")}
	if !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("calls = %q, want %q", calls, wantCalls)
	}
}

// TestSystemdActionsExactArgv runs every verb through the gate against the
// stand-in found on PATH (the default argv "systemctl") and checks the
// exact argv of each call and the verified outcome.
func TestSystemdActionsExactArgv(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	// nginx -t (the default config test of nginx) passes first.
	t.Setenv("PATH", sc.Dir+":"+svctest.NewNginx(t).Dir+":"+getenvPath())
	sc.Unit("nginx", "inactive", true)
	cfg := unitConfig(nil, config.Service{Name: "nginx", CanReload: true, Timeout: config.Duration{Duration: 20 * time.Second}})
	spec, err := services.Find(cfg, "nginx")
	if err != nil {
		t.Fatal(err)
	}
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	g := gate.New(false, audit)
	h := host.NewLocal()
	steps := []struct {
		verb  services.Verb
		state services.State
		word  string
	}{
		{services.Start, services.Up, "started"},
		{services.Restart, services.Up, "restarted"},
		{services.Reload, services.Up, "reloaded"},
		{services.Stop, services.Down, "stopped"},
	}
	for _, st := range steps {
		sc.ResetCalls()
		a, err := services.Action(spec, h, st.verb)
		if err != nil {
			t.Fatal(err)
		}
		if want := argv("systemctl", string(st.verb), "nginx"); !reflect.DeepEqual(a.Argv, want) {
			t.Errorf("%s: Argv = %q, want %q", st.verb, a.Argv, want)
		}
		res := g.Do(context.Background(), a)
		if res.Err != nil {
			t.Fatalf("%s: %v\n%s", st.verb, res.Err, strings.Join(res.Outcome.Details, "\n"))
		}
		if sum := res.Outcome.Summary; !strings.HasPrefix(sum, "nginx "+st.word+", verified in ") || !strings.Contains(sum, ": "+string(st.state)+", ") {
			t.Errorf("%s: summary %q", st.verb, res.Outcome.Summary)
		}
		calls := sc.Calls()
		// One show before, the action, then at least one show to verify.
		if len(calls) < 3 || !reflect.DeepEqual(calls[1], argv(string(st.verb), "nginx")) {
			t.Fatalf("%s: calls = %q", st.verb, calls)
		}
		for i, c := range calls {
			if i != 1 && !reflect.DeepEqual(c, argv("show", "-p", services.ShowProps, "nginx")) {
				t.Errorf("%s: call %d = %q", st.verb, i, c)
			}
		}
	}
	recs, err := gate.ReadAudit(audit)
	if err != nil || len(recs) != 8 {
		t.Fatalf("audit: %d records, %v", len(recs), err)
	}
	if recs[2].Action != "services.restart" || !reflect.DeepEqual(recs[2].Argv, argv("systemctl", "restart", "nginx")) {
		t.Errorf("audit record = %+v", recs[2])
	}
}

func TestReloadOnlyWhereTheUnitCan(t *testing.T) {
	cfg := unitConfig(nil, config.Service{Name: "redis"})
	spec, _ := services.Find(cfg, "redis")
	if _, err := services.Action(spec, host.NewLocal(), services.Reload); err == nil {
		t.Fatal("reload of a unit without can_reload was allowed")
	}
	// What systemctl says counts too.
	spec.Learn(services.Status{CanReload: true})
	if _, err := services.Action(spec, host.NewLocal(), services.Reload); err != nil {
		t.Fatalf("after Learn: %v", err)
	}
}

func TestReadOnlyGateRunsNothing(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", true)
	cfg := unitConfig(sc, config.Service{Name: "nginx"})
	spec, _ := services.Find(cfg, "nginx")
	a, _ := services.Action(spec, host.NewLocal(), services.Stop)
	res := gate.New(true, "").Do(context.Background(), a)
	if !errors.Is(res.Err, gate.ErrReadOnly) {
		t.Fatalf("err = %v", res.Err)
	}
	if calls := sc.Calls(); len(calls) != 0 {
		t.Fatalf("read-only ran %q", calls)
	}
}

func TestRestartRetriedOnceOnTimeout(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("mysqld", "active", false)
	sc.Hang("mysqld")
	cfg := unitConfig(sc, config.Service{Name: "mysqld", RetryOnTimeout: true, Timeout: config.Duration{Duration: time.Second}})
	spec, _ := services.Find(cfg, "mysqld")
	a, _ := services.Action(spec, host.NewLocal(), services.Restart)
	out, err := a.Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(out.Details, "\n"))
	}
	var restarts int
	for _, c := range sc.Calls() {
		if reflect.DeepEqual(c, argv("restart", "mysqld")) {
			restarts++
		}
	}
	if restarts != 2 {
		t.Errorf("restart ran %d times, want 2 (once more after the timeout)", restarts)
	}
	if !strings.Contains(strings.Join(out.Details, "\n"), "timed out: running it once more") {
		t.Errorf("details do not say it retried: %q", out.Details)
	}
}

func TestRestartTimeoutWithoutRetryFails(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", false)
	sc.Hang("nginx")
	cfg := unitConfig(sc, config.Service{Name: "nginx", Timeout: config.Duration{Duration: time.Second}, ConfigTest: []string{svctest.NewNginx(t).Path, "-t"}})
	spec, _ := services.Find(cfg, "nginx")
	a, _ := services.Action(spec, host.NewLocal(), services.Restart)
	if _, err := a.Run(context.Background()); !errors.Is(err, host.ErrTimeout) {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestStartThatFailsSaysSo(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "inactive", false)
	sc.FailStart("nginx")
	cfg := unitConfig(sc, config.Service{Name: "nginx", Timeout: config.Duration{Duration: time.Second}})
	spec, _ := services.Find(cfg, "nginx")
	a, _ := services.Action(spec, host.NewLocal(), services.Start)
	_, err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("err = %v", err)
	}
	st := services.StatusOf(context.Background(), spec, host.NewLocal())
	if st.State != services.Down || st.Detail != "failed (failed)" {
		t.Errorf("status = %+v", st)
	}
}

func TestJournalLog(t *testing.T) {
	cfg := unitConfig(nil, config.Service{Name: "nginx", Log: "journal"}, config.Service{Name: "app", Kind: "command", Start: []string{"x"}, Stop: []string{"y"}, Log: "/var/log/app.log"})
	spec, _ := services.Find(cfg, "nginx")
	src, err := services.Log(spec)
	if err != nil || !reflect.DeepEqual(src.Argv, argv("journalctl", "-u", "nginx", "-n", services.JournalLines, "-f", "--no-pager")) {
		t.Errorf("journal log = %+v, %v", src, err)
	}
	// The pane is named after the command it follows, and knows what an
	// empty journal means.
	if src.Name != "journalctl -u nginx -f" || src.Empty != "the journal has no lines of nginx yet" {
		t.Errorf("journal log name %q, empty %q", src.Name, src.Empty)
	}
	spec, _ = services.Find(cfg, "app")
	if src, err := services.Log(spec); err != nil || src.Path != "/var/log/app.log" || src.Argv != nil {
		t.Errorf("file log = %+v, %v", src, err)
	}
}
