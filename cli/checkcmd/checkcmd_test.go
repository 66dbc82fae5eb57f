package checkcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
)

// Job names of our own: other packages' tests and the demo run fake stock
// checks on this machine.
var (
	mercari = fmt.Sprintf("check_item_mercari_tk%d", os.Getpid())
	yahoo   = fmt.Sprintf("check_item_yahoo_tk%d", os.Getpid())
)

// setup writes a config whose probe points at a real HTTP server on
// loopback, whose index-linux cannot be healthy (nothing listens, pm2 is a
// command that fails), and whose crontab is given.
func setup(t *testing.T, tab string, handler http.HandlerFunc) (cfgPath, dir string) {
	t.Helper()
	dir = t.TempDir()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	closed := "127.0.0.1:" + strconv.Itoa(freeport.For(t))
	if tab != "" {
		os.WriteFile(filepath.Join(dir, "crontab"), []byte(tab), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "manage.py"), []byte("#!/bin/sh\nsleep 300 &\nwait\n"), 0o755)
	cfgPath = filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
lang = "en"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
[crontab]
path = "`+filepath.Join(dir, "crontab")+`"
reload = ["true"]
[[jobs]]
name = "`+yahoo+`"
[[jobs]]
name = "`+mercari+`"
guard = "index-linux"
[guard]
jobs = ["`+mercari+`"]
[index_linux]
health_url = "http://`+closed+`/health"
redis = "`+closed+`"
[[services]]
name = "index-linux"
kind = "pm2"
pm2 = ["false"]
[[probes]]
name = "captcha"
url = "`+srv.URL+`/amazon/captcha/"
timeout = "5s"
[thresholds]
probe_slow_seconds = 0.3
`), 0o644)
	return cfgPath, dir
}

func runCLI(cfgPath string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(append([]string{"--config", cfgPath, "check"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func ok(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }

func TestExitCodes(t *testing.T) {
	// A run every minute and no sign of one: MISSED.
	missed := "* * * * * root cd /app && python manage.py " + yahoo + " 2 4\n"
	// 31 February: never due; the guarded job has an active line.
	quiet := "0 3 31 2 * root python manage.py " + yahoo + "\n0 3 31 2 * root python manage.py " + mercari + "\n"
	slow := func(w http.ResponseWriter, r *http.Request) { time.Sleep(time.Second); ok(w, r) }
	cases := []struct {
		name    string
		tab     string
		handler http.HandlerFunc
		args    []string
		code    int
		want    string
	}{
		{"ok", quiet, ok, []string{"--only", "probes,jobs"}, 0, "OK: 0 critical, 0 warning, 0 unknown"},
		{"warn: slow probe", quiet, slow, []string{"--only=probes"}, 1, "captcha slow"},
		{"warn: 500", quiet, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, []string{"--only", "probes"}, 1, "captcha unreachable"},
		{"crit: missed run", missed, ok, []string{"--only", "jobs", "--only", "probes"}, 2, yahoo + " MISSED its"},
		{"crit: index-linux", quiet, ok, []string{"--only", "index-linux"}, 2, "Mercari checks dangerous: pause them  [jobs: p]"},
		{"unknown: crontab missing", "", ok, []string{"--only", "jobs,probes"}, 3, yahoo + ": crontab: open"},
		{"crit outranks unknown", "", ok, []string{"--only", "jobs,index-linux"}, 2, "CRIT: 1 critical, 0 warning, 1 unknown"},
		{"bad check name: usage", quiet, ok, []string{"--only", "nope"}, 2, ""},
		{"bad flag: usage", quiet, ok, []string{"--bogus"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := setup(t, c.tab, c.handler)
			code, out, errs := runCLI(cfg, c.args...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d (want %d)\n%s\nstderr: %s", code, c.code, out, errs)
			}
			zcode, zout, _ := runCLI(cfg, append(c.args, "--zabbix")...)
			want := map[int]string{0: "0\n", 1: "1\n", 2: "2\n", 3: "1\n"}[c.code]
			if c.want == "" { // a usage error stays an error
				want = ""
			}
			if zout != want || (want != "" && zcode != 0) {
				t.Errorf("--zabbix: exit %d, %q, want %q", zcode, zout, want)
			}
		})
	}
}

// TestGuardedRunning: a guarded Mercari job running while index-linux is
// unhealthy is critical, with the kill key on the Jobs tab.
func TestGuardedRunning(t *testing.T) {
	cfg, dir := setup(t, "0 3 31 2 * root python manage.py "+mercari+"\n", ok)
	cmd := exec.Command("sh", "manage.py", mercari, "2", "4")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Gone before the next test looks for processes of the job.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	code, out, errs := runCLI(cfg, "--json", "--only", "jobs")
	var o Output
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errs)
	}
	if code != 2 || o.Status != "CRIT" || o.ExitCode != 2 || len(o.Checks) != 1 || len(o.Checks[0].Items) != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	it := o.Checks[0].Items[0]
	if it.Severity != "CRIT" || !strings.Contains(it.Text, mercari+" RUNNING while index-linux is unhealthy") || it.Tab != "jobs" || it.Key != "X" {
		t.Fatalf("%+v", it)
	}
}

// TestJSONShape pins the field names monitoring scripts read.
func TestJSONShape(t *testing.T) {
	cfg, _ := setup(t, "", ok)
	code, out, _ := runCLI(cfg, "--json", "--only", "probes,jobs")
	if code != 3 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["status"] != "UNKNOWN" || raw["exit_code"] != float64(3) {
		t.Fatalf("%s", out)
	}
	checks := raw["checks"].([]any)
	if len(checks) != 2 {
		t.Fatalf("%s", out)
	}
	probes, jobs := checks[0].(map[string]any), checks[1].(map[string]any)
	if probes["source"] != "probes" || probes["status"] != "OK" || len(probes["items"].([]any)) != 0 {
		t.Errorf("probes: %v", probes)
	}
	if _, ok := probes["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms: %v", probes)
	}
	item := jobs["items"].([]any)[0].(map[string]any)
	if jobs["source"] != "jobs" || jobs["status"] != "UNKNOWN" || item["severity"] != "UNKNOWN" || !strings.Contains(item["text"].(string), "crontab") {
		t.Errorf("jobs: %v", jobs)
	}
	if _, has := item["tab"]; has {
		t.Errorf("an item no screen acts on has a tab: %v", item)
	}
}

func TestParse(t *testing.T) {
	o, err := parse(nil, []string{"--only", "a, b", "--zabbix", "--only=c"})
	if err != nil || !o.zabbix || strings.Join(o.only, "|") != "a|b|c" {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range [][]string{{"--only"}, {"x"}, {"--json2"}} {
		if _, err := parse(nil, bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestGlobalHostIsHonoured: `check --host dead --only jobs` checks the jobs
// on that host; it refuses the connection, so the answer is UNKNOWN, not OK.
func TestGlobalHostIsHonoured(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // ssh's shared-connection sockets
	cfg, _ := setup(t, "0 3 31 2 * root python manage.py "+yahoo+"\n", ok)
	dead := config.HostEntry{Name: "dead", SSH: "root@127.0.0.1",
		Options: []string{"-p", strconv.Itoa(freeport.For(t)), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-F", "/dev/null"}}
	f, _ := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n" + sshtest.TOML(dead, ""))
	f.Close()
	if code, out, errs := runCLI(cfg, "--only", "jobs"); code != 0 {
		t.Fatalf("local: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := runCLI(cfg, "--host", "dead", "--only", "jobs")
	if code != 3 || !strings.Contains(out, "UNKNOWN") || !strings.Contains(out, "processes") {
		t.Errorf("--host dead: exit %d, want 3\n%s%s", code, out, errs)
	}
}

// TestPausedJob: `check --only jobs` does not say OK while a job is
// paused: WARN, and CRIT once cron skipped a run of it (here paused by
// hand two hours ago, so the crontab's change is when).
func TestPausedJob(t *testing.T) {
	never := "#richsops-paused# 0 3 31 2 * root python manage.py " + mercari + "\n"
	hourly := "#richsops-paused# 0 * * * * root python manage.py " + mercari + "\n"
	for _, c := range []struct {
		tab  string
		code int
		want string
	}{
		{never, 1, "WARN  jobs  " + mercari + ": paused (not through richsops)  [jobs: p]"},
		{hourly, 2, "scheduled run(s) skipped since"},
	} {
		cfg, dir := setup(t, c.tab, ok)
		ago := time.Now().Add(-2 * time.Hour)
		os.Chtimes(filepath.Join(dir, "crontab"), ago, ago)
		code, out, errs := runCLI(cfg, "--only", "jobs")
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("exit %d (want %d)\n%s\nstderr: %s", code, c.code, out, errs)
		}
	}
}
