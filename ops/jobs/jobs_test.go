package jobs

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// fakeManage stands in for Django's manage.py: `sh manage.py JOB MODE...`.
// It logs where and with what environment it runs (shell builtins only: a
// fork would briefly show a second process with the same argv), then waits
// for a non-matching `sleep` child.
const fakeManage = `#!/bin/sh
printf 'start job=%s pwd=%s home=%s lang=%s args=%s\n' "$1" "$PWD" "$HOME" "$LANG" "$*"
case "$2" in
ignore-term) trap '' TERM ;;
tree) sh "$0" "$1" child & ;;
esac
sleep 300 &
wait
`

// newApp makes an app folder with manage.py, readable by every user (the
// run-as-user test runs as nobody), and a config pointing at it.
func newApp(t *testing.T) *config.Config {
	t.Helper()
	need(t, "sh", "sleep", "id")
	if _, err := user.Lookup("nobody"); err != nil && os.Geteuid() == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("user nobody is needed to test running as another user")
		}
		t.Skip("user nobody is needed to test running as another user")
	}
	dir, err := os.MkdirTemp("", "richsops-jobs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	os.MkdirAll(filepath.Join(dir, "logs"), 0o777)
	os.Chmod(filepath.Join(dir, "logs"), 0o777)
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte(fakeManage), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := edittest.Config(t, config.Default())
	cfg.App.Dir = dir
	cfg.App.LogDir = filepath.Join(dir, "logs")
	cfg.App.Python = "/bin/sh"
	cfg.App.User = "nobody"
	cfg.App.Env = map[string]string{"LANG": "ja_JP.UTF-8"}
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	cfg.LockDir = filepath.Join(dir, "locks")
	// Other test suites on the machine run fake stock checks of the stock
	// names: ours get a suffix of their own.
	for i := range cfg.Jobs {
		cfg.Jobs[i].Name += testSuffix
	}
	return cfg
}

// argvOnly lists the test jobs by argv alone, wherever and as whoever they
// run (for clean-ups).
var argvOnly = func() *config.Config {
	c := &config.Config{}
	for _, n := range []string{yahoo, mercari, updYahoo, updMerc} {
		c.Jobs = append(c.Jobs, config.Job{Name: n, Match: MatchArgv})
	}
	return c
}()

var testSuffix = fmt.Sprintf("_t%d", os.Getpid())

// Test job names.
var (
	yahoo     = "check_item_yahoo" + testSuffix
	mercari   = "check_item_mercari" + testSuffix
	updYahoo  = "update_item_yahoo" + testSuffix
	updMerc   = "update_item_mercari" + testSuffix
	mercariV2 = mercari + "_v2"
)

// need skips the test when a binary is missing, except under CI.
func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed: %v", b, err)
			}
			t.Skipf("%s is needed: %v", b, err)
		}
	}
}

// spawn starts a test process (reaped by a goroutine) and stops it at the end.
func spawn(t *testing.T, dir string, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd
}

// settled waits until the fake manage.py of pid has forked its sleep:
// between fork and exec the child still shows the job's argv, so a count
// of the job's processes taken earlier can briefly see two.
func settled(t *testing.T, pid int) {
	t.Helper()
	eventually(t, "the job's sleep child", func() bool {
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		for _, k := range strings.Fields(string(kids)) {
			if comm, _ := os.ReadFile("/proc/" + k + "/comm"); strings.TrimSpace(string(comm)) == "sleep" {
				return true
			}
		}
		return false
	})
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if f() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for: %s", what)
}

// listed waits until List on h shows pid as a process of job and returns it.
func listed(t *testing.T, h host.Host, cfg *config.Config, job string, pid int) Proc {
	t.Helper()
	var p Proc
	eventually(t, "process listed", func() bool {
		ps, _ := List(context.Background(), h, cfg, []string{job})
		for _, x := range ps {
			if x.PID == pid {
				p = x
				return true
			}
		}
		return false
	})
	return p
}

func pids(procs []Proc) map[int]bool {
	m := map[int]bool{}
	for _, p := range procs {
		m[p.PID] = true
	}
	return m
}

// killSessions ends the run-now test jobs and their sleep children: each
// is a session leader, so its pid is its process group.
func killSessions(ctx context.Context, h host.Host) {
	procs, _ := List(ctx, h, argvOnly, []string{yahoo, mercari, updYahoo, updMerc})
	for _, p := range procs {
		syscall.Kill(-p.PID, syscall.SIGKILL)
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
}

// alive: pid runs and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(b, ')')
	return err == nil && i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

// sshHost is this machine reached over ssh (a private sshd on loopback,
// named remote-test): List, Kill and the run go through ps, kill and the
// launcher script run by the host, as on a remote box.
func sshHost(t *testing.T) host.Host {
	t.Helper()
	srv := sshtest.StartT(t)
	h, err := host.NewSSH(srv.Entry("remote-test"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// bothHosts runs f on this machine as Local and over ssh.
func bothHosts(t *testing.T, f func(t *testing.T, h host.Host)) {
	t.Run("local", func(t *testing.T) { f(t, host.NewLocal()) })
	t.Run("ssh", func(t *testing.T) { f(t, sshHost(t)) })
}

func TestFindAndKill(t *testing.T) {
	cfg := newApp(t)
	dir := cfg.App.Dir
	ctx := context.Background()
	bothHosts(t, func(t *testing.T, h host.Host) {
		{
			plain := spawn(t, dir, "sh", "manage.py", mercari, "2", "4")
			stubborn := spawn(t, dir, "sh", filepath.Join(dir, "manage.py"), mercari, "ignore-term")
			tree := spawn(t, dir, "sh", "./manage.py", mercari, "tree")
			v2 := spawn(t, dir, "sh", "manage.py", mercariV2)
			other := spawn(t, dir, "sh", "-c", "echo manage.py "+mercari+"; sleep 600")
			yahoo := spawn(t, dir, "sh", "manage.py", yahoo)

			var procs []Proc
			eventually(t, "4 mercari processes (tree child included)", func() bool {
				procs, _ = List(ctx, h, cfg, []string{mercari})
				return len(procs) == 4
			})
			got := pids(procs)
			for _, c := range []*exec.Cmd{plain, stubborn, tree} {
				if !got[c.Process.Pid] {
					t.Errorf("pid %d not found", c.Process.Pid)
				}
			}
			for _, c := range []*exec.Cmd{v2, other, yahoo} {
				if got[c.Process.Pid] {
					t.Errorf("pid %d (%v) matched check_item_mercari", c.Process.Pid, c.Args)
				}
			}
			var child Proc
			for _, p := range procs {
				if p.PPID == tree.Process.Pid || (!h.IsLocal() && p.PID != plain.Process.Pid && p.PID != stubborn.Process.Pid && p.PID != tree.Process.Pid && strings.Contains(strings.Join(p.Args, " "), "child")) {
					child = p
				}
				if p.Job != mercari || p.User == "" || p.Start.IsZero() || len(p.Args) < 3 {
					t.Errorf("incomplete %+v", p)
				}
			}
			if child.PID == 0 {
				t.Fatal("tree child not found")
			}

			// One process.
			a, err := KillAction(ctx, h, cfg, mercari, plain.Process.Pid, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(a.Preview, "\n"), strconv.Itoa(plain.Process.Pid)) {
				t.Errorf("preview does not name the pid: %v", a.Preview)
			}
			out, err := a.Run(ctx)
			if err != nil || alive(plain.Process.Pid) {
				t.Fatalf("kill one: %v %v", err, out)
			}
			if !alive(stubborn.Process.Pid) || !alive(tree.Process.Pid) {
				t.Fatal("kill one hit others")
			}
			// A pid not of the job is refused.
			if _, err := KillAction(ctx, h, cfg, mercari, v2.Process.Pid, time.Second); err == nil {
				t.Fatal("kill of a non-matching pid accepted")
			}
			// All: the stubborn one gets SIGKILL.
			a, err = KillAction(ctx, h, cfg, mercari, 0, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			out, err = a.Run(ctx)
			if err != nil {
				t.Fatalf("kill all: %v %v", err, out.Details)
			}
			for _, pid := range []int{stubborn.Process.Pid, tree.Process.Pid, child.PID} {
				if alive(pid) {
					t.Errorf("pid %d survived", pid)
				}
			}
			report := strings.Join(out.Details, "\n")
			if !strings.Contains(report, fmt.Sprintf("pid %d: ignored SIGTERM", stubborn.Process.Pid)) {
				t.Errorf("report: %s", report)
			}
			for _, c := range []*exec.Cmd{v2, other, yahoo} {
				if !alive(c.Process.Pid) {
					t.Errorf("bystander %d killed", c.Process.Pid)
				}
			}
		}
	})
}

func TestPIDReuseAndSelf(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	h := host.NewLocal()
	c := spawn(t, cfg.App.Dir, "sh", "manage.py", yahoo)
	p := listed(t, h, cfg, yahoo, c.Process.Pid)
	// Same pid, another start time: as if the pid was reused.
	reused := p
	reused.StartKey = "1"
	lines, _ := Terminate(ctx, h, []Proc{reused}, time.Second)
	if !strings.Contains(lines[0], "pid reused") || !alive(p.PID) {
		t.Fatalf("reused pid signalled: %v", lines)
	}
	ok, refused := Killable(h, cfg, []Proc{{Process: host.Process{PID: 1}, Job: yahoo}, {Process: host.Process{PID: os.Getpid()}, Job: yahoo}, {Process: host.Process{PID: 99999}, Job: "unknown"}, p})
	if len(ok) != 1 || len(refused) != 3 {
		t.Fatalf("killable %v refused %v", ok, refused)
	}
}

func TestNewestStampAndLastRun(t *testing.T) {
	log := "2026-11-27 03:00:01,123 INFO start\nTraceback:\n  line\n2026-11-27 03:10:09,001 INFO done\nno stamp here\n"
	got, ok := NewestStamp([]byte(log))
	if !ok || got.Format("15:04:05") != "03:10:09" {
		t.Fatalf("%v %v", got, ok)
	}
	if _, ok := NewestStamp([]byte("nothing\n")); ok {
		t.Fatal("stamp in nothing")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "x.log")
	os.WriteFile(p, []byte("plain\n"), 0o644)
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	os.Chtimes(p, mt, mt)
	last, from, err := LastRun(context.Background(), host.NewLocal(), p)
	if err != nil || from != "mtime" || !last.Equal(mt) {
		t.Fatalf("%v %s %v", last, from, err)
	}
}

// guardServer is a real HTTP health endpoint that can be taken down.
func guardServer(t *testing.T) (GuardCheck, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/health"
	check := func(ctx context.Context) (bool, string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err.Error()
		}
		res.Body.Close()
		return res.StatusCode == 200, res.Status
	}
	return check, func() { srv.Close() }
}

func TestRunNow(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	h := host.NewLocal()
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	g := gate.New(false, audit)
	check, down := guardServer(t)

	a, err := RunAction(ctx, h, cfg, RunSpec{Job: mercari, Args: []string{"7", "8"}}, check)
	if err != nil {
		t.Fatal(err)
	}
	res := g.Do(ctx, a)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var procs []Proc
	eventually(t, "run-now process", func() bool {
		procs, _ = List(ctx, h, cfg, []string{mercari})
		return len(procs) == 1
	})
	t.Cleanup(func() { killSessions(ctx, h) })
	logPath := cfg.JobLogPath(cfg.Jobs[1])
	wantUser := "nobody"
	if os.Geteuid() != 0 {
		wantUser = procs[0].User
	}
	eventually(t, "log line", func() bool {
		b, _ := os.ReadFile(logPath)
		return strings.Contains(string(b), "start job="+mercari)
	})
	b, _ := os.ReadFile(logPath)
	line := string(b)
	for _, want := range []string{"pwd=" + cfg.App.Dir, "lang=ja_JP.UTF-8", "args=" + mercari + " 7 8"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	if procs[0].User != wantUser {
		t.Errorf("runs as %s, want %s", procs[0].User, wantUser)
	}
	if u, _ := user.Lookup("nobody"); os.Geteuid() == 0 && !strings.Contains(line, "home="+u.HomeDir+" ") {
		t.Errorf("no login HOME: %q", line)
	}

	// Second instance: refused unless forced.
	if _, err := RunAction(ctx, h, cfg, RunSpec{Job: mercari}, check); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second instance: %v", err)
	}
	if a, err := RunAction(ctx, h, cfg, RunSpec{Job: mercari, Force: true}, check); err != nil || !strings.Contains(strings.Join(a.Preview, "\n"), "FORCED") {
		t.Fatalf("forced: %v", err)
	}

	// Guard down: refused; override needs the typed word and is audited.
	down()
	_, err = RunAction(ctx, h, cfg, RunSpec{Job: mercari, Force: true}, check)
	if _, ok := err.(*GuardError); !ok {
		t.Fatalf("guard down: %v", err)
	}
	if _, err := RunAction(ctx, h, cfg, RunSpec{Job: yahoo}, check); err != nil {
		t.Fatalf("unguarded job refused: %v", err)
	}
	if _, err := RunAction(ctx, h, cfg, RunSpec{Job: updMerc}, nil); err == nil {
		t.Fatal("guarded job ran with no health check")
	}
	a, err = RunAction(ctx, h, cfg, RunSpec{Job: mercari, Force: true, Override: true}, check)
	if err != nil || a.Danger != OverrideWord || a.Name != "jobs.run.override" {
		t.Fatalf("override: %+v %v", a, err)
	}
	if res := g.Do(ctx, a); res.Err != nil {
		t.Fatal(res.Err)
	}
	eventually(t, "forced second instance", func() bool {
		procs, _ = List(ctx, h, cfg, []string{mercari})
		return len(procs) == 2
	})
	recs, _ := gate.ReadAudit(audit)
	found := false
	for _, r := range recs {
		found = found || (r.Action == "jobs.run.override" && r.Phase == "end" && strings.Contains(r.Summary, "guard overridden"))
	}
	if !found {
		t.Errorf("override not audited: %+v", recs)
	}
	// A log that is a symlink (the log folder belongs to the app user) is
	// never followed.
	ylog := cfg.JobLogPath(cfg.Jobs[0])
	os.Symlink(filepath.Join(cfg.App.Dir, "elsewhere"), ylog)
	if a, err := RunAction(ctx, h, cfg, RunSpec{Job: yahoo}, check); err != nil {
		t.Fatal(err)
	} else if _, err := a.Run(ctx); err == nil {
		t.Fatal("followed a symlinked log")
	}
	if _, err := os.Stat(filepath.Join(cfg.App.Dir, "elsewhere")); err == nil {
		t.Fatal("created the symlink target")
	}
	b2, _ := os.ReadFile(logPath)
	if !strings.HasPrefix(string(b2), line[:strings.Index(line, "\n")+1]) || strings.Count(string(b2), "start job=") != 2 {
		t.Errorf("log not appended: %q", b2)
	}
}

// TestRunSurvivesParent starts a job from a child richsops-like process
// that then exits: the job must go on, in its own session.
func TestRunSurvivesParent(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelper$")
	cmd.Env = append(os.Environ(), "RICHSOPS_RUN_HELPER="+cfg.App.Dir, "RICHSOPS_RUN_JOB="+updYahoo)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v %s", err, out)
	}
	var procs []Proc
	eventually(t, "job after its parent exited", func() bool {
		procs, _ = List(ctx, host.NewLocal(), cfg, []string{updYahoo})
		return len(procs) == 1
	})
	defer killSessions(ctx, host.NewLocal())
	p := procs[0]
	if p.PPID == cmd.Process.Pid {
		t.Fatal("still a child of the exited parent")
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if f[3] != strconv.Itoa(p.PID) { // field 6: session id
		t.Errorf("session %s, want its own (%d)", f[3], p.PID)
	}
}

func TestRunHelper(t *testing.T) {
	dir := os.Getenv("RICHSOPS_RUN_HELPER")
	if dir == "" {
		t.Skip("helper process of TestRunSurvivesParent")
	}
	cfg := config.Default()
	cfg.App.Dir, cfg.App.LogDir, cfg.App.Python, cfg.App.User = dir, filepath.Join(dir, "logs"), "/bin/sh", "nobody"
	cfg.LockDir = filepath.Join(dir, "locks")
	job := os.Getenv("RICHSOPS_RUN_JOB")
	cfg.Jobs = []config.Job{{Name: job, Log: "x.log"}}
	a, err := RunAction(context.Background(), host.NewLocal(), cfg, RunSpec{Job: job}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
