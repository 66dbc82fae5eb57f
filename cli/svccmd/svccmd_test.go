package svccmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/services"
)

type fixture struct {
	cfgPath, audit string
	sc             *svctest.Systemctl
	redis          *svctest.Redis
	nginx          *svctest.Nginx
}

func newFixture(t *testing.T) *fixture {
	sc := svctest.NewSystemctl(t)
	sc.Unit("nginx", "active", true)
	sc.Unit("crond", "inactive", false)
	r := svctest.NewRedis(t)
	dir := t.TempDir()
	f := &fixture{cfgPath: filepath.Join(dir, "richsops.toml"), audit: filepath.Join(dir, "audit.jsonl"), sc: sc, redis: r, nginx: svctest.NewNginx(t)}
	q := func(v []string) string { b, _ := json.Marshal(v); return string(b) }
	cfg := fmt.Sprintf(`lang = "en"
audit_log = %q

[index_linux]
redis = %q
health_url = "http://127.0.0.1:1/health"

[[services]]
name = "nginx"
kind = "systemd"
systemctl = %s
config_test = %s
timeout = "20s"

[[services]]
name = "crond"
kind = "systemd"
systemctl = %s
timeout = "20s"

[[services]]
name = "redis"
kind = "command"
start = %s
stop = %s
status = %s
pid_file = %q
timeout = "20s"

[[probes]]
name = "index-linux"
url = "http://127.0.0.1:1/health"
timeout = "2s"
`, f.audit, r.Addr, q([]string{sc.Path}), q([]string{f.nginx.Path, "-t"}), q([]string{sc.Path}), q(r.Start), q(r.Stop), q(r.Status), r.PIDFile)
	if err := os.WriteFile(f.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) run(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(append([]string{"--config", f.cfgPath}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSvcList(t *testing.T) {
	f := newFixture(t)
	code, out, errs := f.run("", "svc", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var snap struct { // durations are seconds in JSON: not a health.Snapshot
		Services []struct {
			Name  string
			State services.State
		}
		Probes []struct{ Problem string }
		Redis  struct{ OK bool }
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	states := map[string]services.State{}
	for _, s := range snap.Services {
		states[s.Name] = s.State
	}
	want := map[string]services.State{"nginx": services.Up, "crond": services.Down, "redis": services.Down}
	if !reflect.DeepEqual(states, want) {
		t.Errorf("states = %v", states)
	}
	if len(snap.Probes) != 1 || snap.Probes[0].Problem != "refused" || snap.Redis.OK {
		t.Errorf("probes = %+v, redis = %+v", snap.Probes, snap.Redis)
	}
	code, out, _ = f.run("", "svc", "list")
	if code != 0 || !strings.Contains(out, "SERVICE") || !strings.Contains(out, "nginx") || !strings.Contains(out, "PROBE") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}
}

func TestSvcActions(t *testing.T) {
	f := newFixture(t)
	// Declined: nothing runs.
	code, _, _ := f.run("n\n", "svc", "restart", "nginx")
	if code != 1 {
		t.Errorf("declined: exit %d", code)
	}
	for _, c := range f.sc.Calls() {
		if c[0] != "show" {
			t.Fatalf("declined action ran %q", c)
		}
	}
	code, out, errs := f.run("y\n", "svc", "restart", "nginx")
	if code != 0 || !strings.Contains(out, "nginx restarted, verified in") || !strings.Contains(errs, "restart nginx") {
		t.Fatalf("restart: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := f.run("", "--yes", "svc", "reload", "crond"); code != 1 || !strings.Contains(errs, "cannot reload") {
		t.Errorf("reload crond: exit %d %s", code, errs)
	}
	if code, out, errs := f.run("", "--yes", "svc", "start", "redis"); code != 0 || !strings.Contains(out, "redis started, verified in") {
		t.Fatalf("start redis: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := f.run("", "--readonly", "--yes", "svc", "stop", "redis"); code != 1 || !strings.Contains(errs, "read-only") {
		t.Errorf("read-only stop: exit %d %s", code, errs)
	}
	if code, out, errs := f.run("", "--yes", "svc", "stop", "redis"); code != 0 || !strings.Contains(out, "redis stopped, verified in") {
		t.Errorf("stop redis: exit %d\n%s\n%s", code, out, errs)
	}
	recs, err := gate.ReadAudit(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Phase+" "+r.Action+" "+r.Target+" "+r.Outcome)
	}
	want := []string{
		"start services.restart nginx ", "end services.restart nginx ok",
		"start services.start redis ", "end services.start redis ok",
		"refused services.stop redis refused",
		"start services.stop redis ", "end services.stop redis ok",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audit:\n%s", strings.Join(got, "\n"))
	}
}

func TestSvcUsage(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{{"svc"}, {"svc", "bounce", "nginx"}, {"svc", "restart"}, {"svc", "restart", "nosuch"}, {"svc", "list", "x"}} {
		if code, _, _ := f.run("", args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// TestSvcListUnknownFails: when systemctl fails, every systemd state is
// unknown: the listing exits 1 and names them, the rows say unknown.
func TestSvcListUnknownFails(t *testing.T) {
	f := newFixture(t)
	b, _ := os.ReadFile(f.cfgPath)
	broken := strings.ReplaceAll(string(b), fmt.Sprintf("systemctl = [%q]", f.sc.Path), `systemctl = ["/bin/false"]`)
	if broken == string(b) {
		t.Fatal("fixture changed: no systemctl line")
	}
	os.WriteFile(f.cfgPath, []byte(broken), 0o644)
	for _, args := range [][]string{{"svc", "list"}, {"svc", "list", "--json"}} {
		code, out, errs := f.run("", args...)
		if code != 1 || !strings.Contains(errs, "the state of nginx, crond could not be read") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
		if !strings.Contains(out, "unknown") {
			t.Errorf("%q: no unknown row:\n%s", args, out)
		}
	}
}

// TestSvcStartAndConfigTest: the terminal shows that a start of a running
// service does nothing, and a reload whose nginx -t fails is refused with
// nginx's stderr (sanitized), exit 1, nothing run.
func TestSvcStartAndConfigTest(t *testing.T) {
	f := newFixture(t)
	code, out, errs := f.run("", "--yes", "svc", "start", "nginx")
	if code != 0 || !strings.Contains(errs, "nginx is already running (up, active (running)") || !strings.Contains(out, "already running") {
		t.Fatalf("start of running nginx: exit %d\n%s\n%s", code, out, errs)
	}
	f.nginx.Fail(true)
	f.sc.ResetCalls()
	code, out, errs = f.run("", "--yes", "svc", "reload", "nginx")
	if code != 1 || !strings.Contains(errs, "first "+f.nginx.Path+" -t: if it fails, no reload") ||
		!strings.Contains(errs, ` -t failed, no reload: nginx: [emerg] unknown directive "sever\x1b[2J"`) || strings.Contains(out+errs, "\x1b") {
		t.Fatalf("reload with a broken config: exit %d\n%s\n%s", code, out, errs)
	}
	for _, c := range f.sc.Calls() {
		if c[0] != "show" {
			t.Errorf("ran %q after a failed config test", c)
		}
	}
}
