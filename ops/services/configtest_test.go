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

// TestNginxConfigTestGuardsReloadAndRestart: nginx -t runs before a reload
// or restart of the unit named nginx (by default); when it fails the
// systemctl call never happens and the failure (sanitized stderr) is the
// error; when it passes, the reload goes on with nginx's verdict in the
// details. A start is not tested.
func TestNginxConfigTestGuardsReloadAndRestart(t *testing.T) {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", true)
	cfg := unitConfig(sc, config.Service{Name: "nginx", CanReload: true})
	spec, _ := services.Find(cfg, "nginx")
	if !reflect.DeepEqual(spec.ConfigTest, []string{"nginx", "-t"}) {
		t.Fatalf("default config test = %q", spec.ConfigTest)
	}
	// The default argv finds the stand-in on PATH.
	ng := svctest.NewNginx(t)
	t.Setenv("PATH", ng.Dir+":"+getenvPath())
	h := host.NewLocal()
	g := gate.New(false, "")
	for _, v := range []services.Verb{services.Reload, services.Restart} {
		ng.Fail(true)
		a, err := services.Action(spec, h, v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(a.Preview[0], "first nginx -t: if it fails, no "+string(v)) {
			t.Errorf("%s preview = %q", v, a.Preview)
		}
		sc.ResetCalls()
		res := g.Do(context.Background(), a)
		if res.Err == nil || !strings.Contains(res.Err.Error(), "nginx: nginx -t failed, no "+string(v)+": nginx: [emerg] unknown directive \"sever\\x1b[2J\"") {
			t.Fatalf("%s with a broken config: %v", v, res.Err)
		}
		for _, c := range sc.Calls() {
			if c[0] != "show" {
				t.Errorf("%s ran %q after a failed test", v, c)
			}
		}
		if d := strings.Join(res.Outcome.Details, "\n"); !strings.Contains(d, "test failed") || strings.Contains(d, "\x1b") {
			t.Errorf("details %q", d)
		}

		ng.Fail(false)
		sc.ResetCalls()
		res = g.Do(context.Background(), a)
		if res.Err != nil {
			t.Fatalf("%s with a good config: %v", v, res.Err)
		}
		if d := strings.Join(res.Outcome.Details, "\n"); !strings.Contains(d, "$ nginx -t: ok") || !strings.Contains(d, "test is successful") {
			t.Errorf("details %q", d)
		}
		if calls := sc.Calls(); len(calls) < 2 || !reflect.DeepEqual(calls[1], []string{string(v), "nginx"}) {
			t.Errorf("%s calls = %q", v, calls)
		}
	}

	// Start is not guarded; config_test = [] turns the test off; another
	// unit has none unless configured.
	ng.Fail(true)
	sc.Unit("nginx", "inactive", true)
	calls := ng.Calls()
	if res := g.Do(context.Background(), mustAction(t, spec, services.Start)); res.Err != nil || ng.Calls() != calls {
		t.Errorf("start ran the test: %v", res.Err)
	}
	cfg.Services[0].ConfigTest = []string{}
	off, _ := services.Find(cfg, "nginx")
	if len(off.ConfigTest) != 0 {
		t.Fatalf("config_test = [] gave %q", off.ConfigTest)
	}
	if res := g.Do(context.Background(), mustAction(t, off, services.Restart)); res.Err != nil || ng.Calls() != calls {
		t.Errorf("restart with the test off: %v", res.Err)
	}
	if other, _ := services.Find(unitConfig(sc, config.Service{Name: "crond"}), "crond"); other.ConfigTest != nil {
		t.Errorf("crond config test = %q", other.ConfigTest)
	}
}

func mustAction(t *testing.T, s services.Spec, v services.Verb) gate.Action {
	t.Helper()
	a, err := services.Action(s, host.NewLocal(), v)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
