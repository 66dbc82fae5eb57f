package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/demo"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/mysql"
)

// buildBinary builds richsops-demo for one test.
func buildBinary(t *testing.T) string {
	return testbin.Build(t, "github.com/richs/richsops/cmd/richsops-demo", filepath.Join(t.TempDir(), "richsops-demo"))
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cmdline(pid int) []string {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

func size(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// TestPrepareThenRun runs the built binary: --prepare builds a sandbox whose
// config validates, --run brings it to life (logs grow, jobs run with the
// argv the Jobs tab looks for, the stand-ins answer), and SIGTERM stops
// every process the sandbox started.
func TestPrepareThenRun(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "sb")

	out, err := exec.Command(bin, "--dir", dir, "--prepare").Output()
	if err != nil {
		t.Fatalf("demo --prepare: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	cfgPath := lines[len(lines)-1]
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("the last line %q is not a valid config: %v", cfgPath, err)
	}
	s, err := demo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	logs := append([]string{s.AccessLog()}, cfg.JobLogPath(cfg.Jobs[1]), filepath.Join(cfg.App.LogDir, "django.log"))
	before := map[string]int64{}
	for _, p := range logs {
		before[p] = size(p)
	}

	run := exec.Command(bin, "--dir", dir, "--run")
	var runOut bytes.Buffer
	run.Stdout, run.Stderr = &runOut, &runOut
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() {
		_ = run.Process.Kill()
		demo.StopAll(s, time.Second)
	})
	eventually(t, "the activity to be ready", func() bool { _, err := os.Stat(filepath.Join(s.RunDir(), "ready")); return err == nil })

	// The two jobs are started beside the server's start: under load the
	// second may be recorded a moment after ready.
	var roles map[string]int
	var jobArgv [][]string
	var recs []demo.PidRecord
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if recs, err = demo.Records(s); err != nil {
			t.Fatal(err)
		}
		roles, jobArgv = map[string]int{}, nil
		for _, r := range recs {
			roles[r.Role]++
			if r.Role == "job" {
				jobArgv = append(jobArgv, cmdline(r.PID))
			}
		}
		if roles["job"] >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if roles["run"] != 1 || roles["writer"] != 1 || roles["job"] != 2 {
		t.Fatalf("recorded processes %v, want run, writer and 2 jobs", roles)
	}
	want := []string{"demo-job", "manage.py", "check_item_mercari", "2", "4", "--max-workers", "14"}
	found := false
	for _, a := range jobArgv {
		if len(a) == 8 && slices.Equal(a[1:], want) && filepath.Base(a[0]) == "richsops-demo" {
			found = true
		}
	}
	if !found {
		t.Errorf("no job process with argv [richsops %s]: %q", strings.Join(want, " "), jobArgv)
	}

	for _, p := range logs {
		eventually(t, p+" to grow", func() bool { return size(p) > before[p] })
	}
	resp, err := http.Get(cfg.IndexLinux.HealthURL)
	if err != nil {
		t.Fatalf("health server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health: %d", resp.StatusCode)
	}

	// The stand-ins on D/bin exec the binary and answer like the real tools.
	sc, err := exec.Command(filepath.Join(s.BinDir(), "systemctl"), "show", "-p", "ActiveState,SubState", "nginx").Output()
	if err != nil || string(sc) != "ActiveState=active\nSubState=running\n" {
		t.Errorf("systemctl stand-in: %q %v", sc, err)
	}
	pm, err := exec.Command(filepath.Join(s.BinDir(), "pm2"), "jlist").Output()
	var list []map[string]any
	if err != nil || json.Unmarshal(pm, &list) != nil || len(list) != 1 || list[0]["name"] != "index-linux" {
		t.Errorf("pm2 stand-in: %q %v", pm, err)
	}

	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("demo --run ended with %v:\n%s", err, runOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("demo --run did not stop on SIGTERM")
	}
	for _, r := range recs {
		if r.Alive() {
			t.Errorf("%s process %d (%v) still runs after the demo stopped", r.Role, r.PID, r.Argv)
		}
	}
	if left, _ := demo.Records(s); len(left) != 0 {
		t.Errorf("pid records left: %+v", left)
	}
	serverLeft(t, s)
	sc2 := bufio.NewScanner(strings.NewReader(runOut.String()))
	last := ""
	for sc2.Scan() {
		last = sc2.Text()
	}
	if last != "demo activity stopped" {
		t.Errorf("last output line %q", last)
	}
}

// TestRunStopsWhenTheConsoleIsGone: the activity started by the console
// watches it and stops everything if the console dies without cleaning up.
func TestRunStopsWhenTheConsoleIsGone(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "sb")
	if out, err := exec.Command(bin, "--dir", dir, "--prepare").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s, _ := demo.Open(dir)
	console := exec.Command("sleep", "600")
	if err := console.Start(); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(bin, "--dir", dir, "--run")
	run.Env = append(os.Environ(), "RICHSOPS_DEMO_PARENT="+strconv.Itoa(console.Process.Pid))
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() { _ = run.Process.Kill(); demo.StopAll(s, time.Second) })
	eventually(t, "the activity to be ready", func() bool { _, err := os.Stat(filepath.Join(s.RunDir(), "ready")); return err == nil })
	recs, _ := demo.Records(s)
	_ = console.Process.Kill()
	_, _ = console.Process.Wait()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatal("the activity did not notice its console was gone")
	}
	for _, r := range recs {
		if r.Alive() {
			t.Errorf("%s process %d still runs", r.Role, r.PID)
		}
	}
	serverLeft(t, s)
}

// serverLeft fails the test when a mariadbd still runs on the sandbox's datadir.
func serverLeft(t *testing.T, s *demo.Sandbox) {
	t.Helper()
	if p := mysqltest.Pids("mariadbd", "--datadir="+s.Datadir()); len(p) > 0 {
		t.Errorf("mariadbd left running on the sandbox: %v", p)
	}
}

// TestEmergencyInTheSandbox walks the runbook's disk-full path for real in
// a sandbox with its own mariadbd, through the built binary and the
// stand-ins on D/bin: the server answers, `systemctl stop mysqld` stops
// it, `db status` shows the emergency condition, `db emergency` removes the
// oldest binary log of the index and restarts mysqld through the
// configured restart command (the stand-in), and the server answers again.
// SIGTERM to the activity then leaves no mariadbd.
func TestEmergencyInTheSandbox(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "sb")
	out, err := exec.Command(bin, "--dir", dir, "--prepare").Output()
	if err != nil || !strings.Contains(string(out), "database: the sandbox's mariadbd on 127.0.0.1:") {
		t.Fatalf("demo --prepare: %v\n%s", err, out)
	}
	s, err := demo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(bin, "--dir", dir, "--run")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() { _ = run.Process.Kill(); demo.StopAll(s, 10*time.Second) })

	product := testbin.Build(t, "github.com/richs/richsops", filepath.Join(t.TempDir(), "richsops"))
	cli := func(env []string, args ...string) (int, string) {
		stdout, stderr, code := testbin.Run(t, product, env, append([]string{"--config", s.ConfigPath(), "--lang", "en"}, args...)...)
		return code, stdout + stderr
	}
	status := func() (int, mysql.Status) {
		// stdout alone: a part that could not be read is also named on stderr.
		out, _, code := testbin.Run(t, product, nil, "--config", s.ConfigPath(), "--lang", "en", "db", "status", "--json")
		var st mysql.Status
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("db status --json: %v\n%s", err, out)
		}
		return code, st
	}
	eventually(t, "the sandbox's server with its seeded logs", func() bool {
		code, st := status()
		return code == 0 && st.Server != nil && len(st.Binlogs) >= 6
	})
	systemctl := filepath.Join(s.BinDir(), "systemctl")
	if out, err := exec.Command(systemctl, "stop", "mysqld").CombinedOutput(); err != nil {
		t.Fatalf("systemctl stop mysqld: %v\n%s", err, out)
	}
	serverLeft(t, s)
	_, st := status()
	if st.Server != nil || !st.Emergency {
		t.Fatalf("after stop: server %v, emergency %v, disk %.2f%% (full at %.2f%%)", st.Server, st.Emergency, st.DiskPercent(), st.Threshold)
	}
	oldest := filepath.Join(s.Datadir(), "mysql-bin.000001")
	if _, err := os.Stat(oldest); err != nil {
		t.Fatal(err)
	}

	code, out2 := cli([]string{"RICHSOPS_CONFIRM=DELETE"}, "--yes", "db", "emergency")
	if code != 0 {
		t.Fatalf("db emergency: exit %d\n%s", code, out2)
	}
	for _, want := range []string{"removed " + oldest, "restart (try 1): ok", "server answers"} {
		if !strings.Contains(out2, want) {
			t.Errorf("db emergency output lacks %q:\n%s", want, out2)
		}
	}
	if _, err := os.Stat(oldest); !os.IsNotExist(err) {
		t.Errorf("the oldest log is still there: %v", err)
	}
	if idx, _ := os.ReadFile(filepath.Join(s.Datadir(), "mysql-bin.index")); strings.Contains(string(idx), "mysql-bin.000001") {
		t.Errorf("the index still names it:\n%s", idx)
	}
	if _, st = status(); st.Server == nil || st.Emergency {
		t.Errorf("after the emergency path: server %v, emergency %v", st.Server, st.Emergency)
	}
	if out, err := exec.Command(systemctl, "is-active", "mysqld").CombinedOutput(); err != nil || string(out) != "active\n" {
		t.Errorf("is-active: %q %v", out, err)
	}
	audit, _ := os.ReadFile(s.AuditLog())
	if !strings.Contains(string(audit), `"db.emergency"`) {
		t.Errorf("audit log lacks db.emergency:\n%s", audit)
	}

	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("demo --run ended with %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("demo --run did not stop on SIGTERM")
	}
	serverLeft(t, s)
}
