package guardcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
)

func TestParse(t *testing.T) {
	o, err := parse([]string{"--once", "--threshold", "5", "--state=/x/s.json", "--interval", "30s"})
	if err != nil || !o.once || o.threshold != 5 || o.state != "/x/s.json" || o.interval != 30*time.Second {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range [][]string{{"x"}, {"--threshold", "-1"}, {"--interval", "10ms"}, {"--nope"}} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestOnce drives `guard --once` as cron would, against an index-linux
// that cannot be healthy (nothing listens, pm2 is a failing command):
// counting, then pausing, then staying paused; read-only changes nothing.
func TestOnce(t *testing.T) {
	job := fmt.Sprintf("check_item_mercari_tgc%d", os.Getpid())
	dir := t.TempDir()
	closed := "127.0.0.1:" + strconv.Itoa(freeport.For(t))
	tab := filepath.Join(dir, "crontab")
	content := "# x\n0 3 * * * root python manage.py " + job + " 2 4\n0 4 * * * root python manage.py " + job + "_v2\n"
	os.WriteFile(tab, []byte(content), 0o644)
	audit := filepath.Join(dir, "audit.jsonl")
	state := filepath.Join(dir, "guard.json")
	cfgPath := filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`audit_log = "`+audit+`"
state_dir = "`+filepath.Join(dir, "state")+`"
lock_dir = "`+filepath.Join(dir, "locks")+`"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
[crontab]
path = "`+tab+`"
reload = ["true"]
[[jobs]]
name = "`+job+`"
guard = "index-linux"
[guard]
jobs = ["`+job+`"]
threshold = 2
state_file = "`+filepath.Join(dir, "unused.json")+`"
[index_linux]
health_url = "http://`+closed+`/health"
redis = "`+closed+`"
[[services]]
name = "index-linux"
kind = "pm2"
pm2 = ["false"]
`), 0o644)
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath, "guard", "--once", "--state", state}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := run("--readonly"); code != 1 || !strings.Contains(out, "UNHEALTHY (1/2)") {
		t.Fatalf("read-only 1: %d %s", code, out)
	}
	if code, out := run("--readonly"); code != 2 || !strings.Contains(out, "read-only: would run jobs.pause") {
		t.Fatalf("read-only 2: %d %s", code, out)
	}
	if b, _ := os.ReadFile(tab); string(b) != content {
		t.Fatalf("read-only changed the crontab: %q", b)
	}
	if _, err := os.Stat(audit); err == nil {
		t.Fatal("read-only wrote audit records")
	}
	os.Remove(state)
	if code, out := run(); code != 1 {
		t.Fatalf("1st: %d %s", code, out)
	}
	code, out := run("--json")
	var step struct {
		Healthy bool
		Acted   bool
		State   struct {
			Paused []string `json:"paused_by_guard"`
		}
	}
	if err := json.Unmarshal([]byte(out), &step); err != nil || code != 2 || !step.Acted || len(step.State.Paused) != 1 {
		t.Fatalf("2nd: %d %v %s", code, err, out)
	}
	want := strings.Replace(content, "0 3 * * *", crontab.PausedPrefix+"0 3 * * *", 1)
	if b, _ := os.ReadFile(tab); string(b) != want {
		t.Fatalf("crontab: %q", b)
	}
	if code, out := run("--threshold", "5"); code != 2 || !strings.Contains(out, "paused by guard: "+job) {
		t.Fatalf("3rd: %d %s", code, out)
	}
	recs, err := gate.ReadAudit(audit)
	if err != nil || len(recs) != 2 || recs[0].Action != "jobs.pause" || recs[1].Outcome != "ok" {
		t.Fatalf("audit: %+v %v", recs, err)
	}
	os.WriteFile(state, []byte("{"), 0o644)
	if code, out := run(); code != ExitError || !strings.Contains(out, "guard failed") {
		t.Fatalf("corrupt state: %d %s", code, out)
	}
}

// The probe's report line is in the configured language.
func TestReportJapanese(t *testing.T) {
	cfg := config.Default()
	cfg.Lang = "ja"
	var out bytes.Buffer
	env := &cli.Env{Cfg: cfg, Stdout: &out}
	at := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	Report(env, guard.Step{Healthy: false, Reason: "pm2 index-linux: stopped", Threshold: 2,
		State: guard.State{LastProbe: at, Failures: 2, Paused: []string{"check_item_mercari"}}, Did: []string{"paused"}}, nil)
	want := "2026-11-27T03:00:00Z index-linux 異常 (2/2); ガードが一時停止中: check_item_mercari: pm2 index-linux: stopped\n  実施: paused\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}
