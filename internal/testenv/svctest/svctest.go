// Package svctest starts the real things the services and health tests
// drive: redis-server on a free port, an isolated pm2 daemon, a tiny Node
// app that reports the environment it runs with, and a recording systemctl
// stand-in. Only tests import it.
package svctest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
)

// Need returns the path of a binary the test needs. Without it the test is
// skipped with the reason, except under CI (env CI set), where it fails.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed (CI installs it): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// Eventually polls cond every 100 ms until it holds or limit passes.
func Eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Redis is a redis-server the test controls through argv, as a
// plain-command service would.
type Redis struct {
	Port    int
	Addr    string
	PIDFile string
	Start   []string
	Stop    []string
	Status  []string
}

// NewRedis prepares (does not start) a redis-server on a free port, with
// its files in a temp folder, and kills it at the end of the test.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	server := Need(t, "redis-server")
	cli := Need(t, "redis-cli")
	dir := t.TempDir()
	port := freeport.For(t)
	p := strconv.Itoa(port)
	r := &Redis{Port: port, Addr: "127.0.0.1:" + p, PIDFile: filepath.Join(dir, "redis.pid")}
	r.Start = []string{server, "--port", p, "--bind", "127.0.0.1", "--daemonize", "yes",
		"--pidfile", r.PIDFile, "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"),
		"--save", "", "--appendonly", "no"}
	r.Stop = []string{cli, "-p", p, "shutdown", "nosave"}
	r.Status = []string{cli, "-p", p, "ping"}
	t.Cleanup(func() {
		if data, err := os.ReadFile(r.PIDFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 1 {
				if proc, err := os.FindProcess(pid); err == nil {
					_ = proc.Kill()
				}
			}
		}
	})
	return r
}

// Run runs argv and fails the test on error.
func Run(t testing.TB, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return string(out)
}

// PM2 is an isolated pm2 daemon: its own PM2_HOME in a temp folder, killed
// (pm2 kill) at the end of the test.
type PM2 struct {
	Home string
	// Argv is the pm2 prefix a service config would use.
	Argv []string
}

// NewPM2 sets up the isolated pm2. The home is short (pm2 puts unix
// sockets there, whose paths are limited to ~100 bytes).
func NewPM2(t testing.TB) *PM2 {
	t.Helper()
	Need(t, "node")
	bin := Need(t, "pm2")
	home, err := os.MkdirTemp("", "pm2-")
	if err != nil {
		t.Fatal(err)
	}
	p := &PM2{Home: home, Argv: []string{"env", "PM2_HOME=" + home, bin}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "kill")
		cmd.Env = append(os.Environ(), "PM2_HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("pm2 kill: %v\n%s", err, out)
		}
		os.RemoveAll(home)
	})
	return p
}

// EnvApp is the source of a tiny Node app: at start it writes the
// environment it runs with (the keys in REPORT_KEYS) and its pid to
// env.json next to itself (temp file + rename), and it serves /health
// (200) and /env on APP_PORT when that is set.
const EnvApp = `const fs = require('fs'), path = require('path'), http = require('http');
const keys = (process.env.REPORT_KEYS || 'SERVER,DEBUG,NODE_ENV,APP_PORT').split(',');
const env = {pid: process.pid};
for (const k of keys) if (k in process.env) env[k] = process.env[k];
const out = path.join(__dirname, 'env.json');
fs.writeFileSync(out + '.tmp', JSON.stringify(env));
fs.renameSync(out + '.tmp', out);
if (process.env.APP_PORT) {
  http.createServer((req, res) => {
    if (req.url === '/health') { res.end('ok'); return; }
    if (req.url === '/env') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(env)); return; }
    res.statusCode = 404; res.end();
  }).listen(Number(process.env.APP_PORT), '127.0.0.1');
} else {
  setInterval(() => {}, 1 << 30);
}
`

// WriteEnvApp writes EnvApp as app.js in a new temp folder and returns
// the folder.
func WriteEnvApp(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(EnvApp), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// AppEnv reads what the app wrote about its own environment ("pid" as a
// string too); nil until it has written.
func AppEnv(dir string) map[string]string {
	data, err := os.ReadFile(filepath.Join(dir, "env.json"))
	if err != nil {
		return nil
	}
	var raw map[string]any
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range raw {
		out[k] = fmt.Sprint(v)
	}
	return out
}
