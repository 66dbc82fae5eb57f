package guard_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/jobtest"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/services"
)

// Job names of our own: other packages' tests and the demo run fake
// check_item_mercari processes on this machine.
var (
	guarded = fmt.Sprintf("check_item_mercari_tg%d", os.Getpid())
	other   = fmt.Sprintf("check_item_yahoo_tg%d", os.Getpid())
)

// crontabText has the guarded job on two lines (one with CRLF), another
// job, a line commented out by someone, env and comment lines, and no
// final newline: all of it except the guarded lines must stay byte for byte.
func crontabText() string {
	return "SHELL=/bin/bash\n" +
		"# stock checks\n" +
		"0 3 * * * richs cd /app && python manage.py " + guarded + " 2 4 --max-workers 14 >> /app/logs/m.log 2>&1\n" +
		"30 15 * * * richs cd /app && python manage.py " + guarded + " 2 4\r\n" +
		"0 4 * * * richs cd /app && python manage.py " + other + " 2 4\n" +
		"# 0 5 * * * richs python manage.py " + other + " 9\n" +
		"\t\n" +
		"0 6 * * * richs python manage.py " + guarded + "_v2"
}

// pausedText is crontabText with exactly the guarded lines paused.
func pausedText() string {
	lines := strings.SplitAfter(crontabText(), "\n")
	lines[2] = crontab.PausedPrefix + lines[2]
	lines[3] = crontab.PausedPrefix + lines[3]
	return strings.Join(lines, "")
}

// healthServer is index-linux's management server: a real HTTP server on a
// fixed loopback port that the test takes down and brings back.
type healthServer struct {
	t    *testing.T
	addr string
	srv  *httptest.Server
}

func newHealthServer(t *testing.T) *healthServer {
	hs := &healthServer{t: t, addr: "127.0.0.1:" + strconv.Itoa(freeport.For(t))}
	hs.up()
	t.Cleanup(hs.down)
	return hs
}

func (hs *healthServer) up() {
	var l net.Listener
	var err error
	svctest.Eventually(hs.t, 10*time.Second, "listen on "+hs.addr, func() bool {
		l, err = net.Listen("tcp", hs.addr)
		return err == nil
	})
	hs.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	hs.srv.Listener.Close()
	hs.srv.Listener = l
	hs.srv.Start()
}

func (hs *healthServer) down() {
	if hs.srv != nil {
		hs.srv.CloseClientConnections()
		hs.srv.Close()
		hs.srv = nil
	}
}

// world is everything guard acts on and probes.
type world struct {
	t      *testing.T
	cfg    *config.Config
	dir    string
	audit  string
	health *healthServer
	spec   services.Spec
	h      host.Host
}

func newWorld(t *testing.T) *world {
	svctest.Need(t, "sh")
	svctest.Need(t, "sleep")
	r := svctest.NewRedis(t)
	svctest.Run(t, r.Start...)
	pm := svctest.NewPM2(t)
	appDir := svctest.WriteEnvApp(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte(jobtest.SleepingManage), 0o755); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, dir: dir, audit: filepath.Join(dir, "audit.jsonl"), health: newHealthServer(t), h: host.NewLocalEditing(edittest.Dirs(t))}
	cfg := edittest.Config(t, config.Default())
	cfg.AuditLog = w.audit
	cfg.App.Dir = dir
	cfg.App.LogDir = dir
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	cfg.Jobs = []config.Job{
		{Name: guarded, Guard: "index-linux", Log: "m.log"},
		{Name: other, Log: "y.log"},
	}
	cfg.IndexLinux.PM2App = "il-guard"
	cfg.IndexLinux.Path = appDir
	cfg.IndexLinux.Script = "app.js"
	cfg.IndexLinux.Env = map[string]string{"SERVER": "srv1", "DEBUG": "ibiz:*", "NODE_ENV": "production"}
	cfg.IndexLinux.HealthURL = "http://" + w.health.addr + "/health"
	cfg.IndexLinux.Redis = r.Addr
	cfg.Probes = []config.Probe{{Name: "index-linux", URL: cfg.IndexLinux.HealthURL, Timeout: config.Duration{Duration: 3 * time.Second}}}
	// The health URL here is a server of the test's, up while the pm2 app
	// is stopped: pm2 asked at every probe (guard.pm2_every = "0s") so that
	// each probe sees the app's state (the reuse: ops/health's prober test).
	cfg.Guard.PM2Every = config.Duration{}
	cfg.Services = []config.Service{{Name: "index-linux", Kind: "pm2", App: "il-guard", PM2: pm.Argv, Timeout: config.Duration{Duration: 30 * time.Second}}}
	cfg.Guard.Jobs = []string{guarded}
	cfg.Guard.Threshold = 3
	cfg.Guard.StateFile = filepath.Join(dir, "state", "guard.json")
	w.cfg = cfg
	w.spec = services.IndexLinuxSpec(cfg)
	w.pm2(services.Start)
	svctest.Eventually(t, 30*time.Second, "redis answers", func() bool {
		return health.RedisPing(context.Background(), r.Addr, time.Second).OK
	})
	svctest.Eventually(t, 30*time.Second, "index-linux healthy", func() bool {
		ok, _ := health.IndexLinux(context.Background(), cfg, w.h)
		return ok
	})
	w.writeCrontab(crontabText())
	return w
}

func (w *world) pm2(v services.Verb) {
	w.t.Helper()
	a, err := services.Action(w.spec, w.h, v)
	if err != nil {
		w.t.Fatal(err)
	}
	if res := gate.New(false, "").Do(context.Background(), a); res.Err != nil {
		w.t.Fatalf("pm2 %s: %v\n%s", v, res.Err, strings.Join(res.Outcome.Details, "\n"))
	}
}

func (w *world) writeCrontab(s string) {
	w.t.Helper()
	if err := os.WriteFile(w.cfg.Crontab.Path, []byte(s), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) crontab() string {
	w.t.Helper()
	data, err := os.ReadFile(w.cfg.Crontab.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

// spawn starts a process that looks like a run of job.
func (w *world) spawn(job string) int { return jobtest.Spawn(w.t, w.h, w.cfg, w.dir, job) }

func (w *world) running(job string) map[int]bool { return jobtest.Running(w.t, w.h, w.cfg, job) }

func (w *world) guard(g *gate.Gate) *guard.Guard {
	return guard.New(w.cfg, host.NewRegistry(w.cfg), w.h, g, 0, "")
}

func (w *world) audited() []gate.Record {
	recs, err := gate.ReadAudit(w.audit)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	return recs
}

// probe runs one guard step and checks its exit code.
func probe(t *testing.T, g *guard.Guard, wantExit int) guard.Step {
	t.Helper()
	step, err := g.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := step.ExitCode(); got != wantExit {
		t.Fatalf("exit %d, want %d; step %+v", got, wantExit, step)
	}
	return step
}

func hasRecord(recs []gate.Record, action, target, phase string) bool {
	for _, r := range recs {
		if r.Action == action && r.Target == target && r.Phase == phase && (phase != "end" || r.Outcome == "ok") {
			return true
		}
	}
	return false
}

// TestGuard runs the interlock against real things: a pm2 app, Redis, an
// HTTP health server taken down and brought back, sleeping processes named
// like the guarded job, the crontab file and the audit log.
func TestGuard(t *testing.T) {
	w := newWorld(t)
	g := w.guard(gate.New(false, w.audit))
	if g.Threshold != 3 || len(g.Jobs) != 1 {
		t.Fatalf("guard from config: %+v", g)
	}
	p1, p2 := w.spawn(guarded), w.spawn(guarded)
	bystander := w.spawn(other)

	t.Run("healthy", func(t *testing.T) {
		step := probe(t, g, guard.ExitHealthy)
		if !step.Healthy || step.State.Successes != 1 || len(step.Did) != 0 {
			t.Fatalf("%+v", step)
		}
	})

	t.Run("unhealthy: pause after K probes", func(t *testing.T) {
		w.health.down()
		for i := 1; i < 3; i++ {
			step := probe(t, g, guard.ExitUnhealthy)
			if step.Healthy || step.State.Failures != i || !strings.Contains(step.Reason, "health URL") {
				t.Fatalf("probe %d: %+v", i, step)
			}
			if w.crontab() != crontabText() || !w.running(guarded)[p1] {
				t.Fatalf("probe %d below the threshold changed something", i)
			}
		}
		step := probe(t, g, guard.ExitActed)
		if !step.Acted || len(step.Errors) != 0 || len(step.State.Paused) != 1 || step.State.Paused[0] != guarded {
			t.Fatalf("probe 3: %+v", step)
		}
		if got := w.crontab(); got != pausedText() {
			t.Fatalf("crontab after pause:\n%q\nwant\n%q", got, pausedText())
		}
		if run := w.running(guarded); run[p1] || run[p2] {
			t.Fatalf("guarded processes still running: %v", run)
		}
		if !w.running(other)[bystander] {
			t.Fatal("the other job's process was stopped")
		}
		recs := w.audited()
		if !hasRecord(recs, "jobs.pause", guarded, "start") || !hasRecord(recs, "jobs.pause", guarded, "end") {
			t.Fatalf("audit: %+v", recs)
		}
		for _, r := range recs {
			if r.Actor != gate.ActorGuard {
				t.Errorf("guard's action audited without its actor: %+v", r)
			}
		}
		// The Jobs tab and check read it back: paused by guard.
		sts, err := jobs.Snapshot(context.Background(), w.h, w.cfg, time.Now())
		if err != nil || sts[0].Name != guarded || sts[0].Paused == nil || sts[0].Paused.By != jobs.ByGuard {
			t.Fatalf("snapshot: %v %+v", err, sts)
		}
	})

	t.Run("still unhealthy: a run started by hand is stopped, crontab untouched", func(t *testing.T) {
		p3 := w.spawn(guarded)
		step := probe(t, g, guard.ExitActed)
		if len(step.Notes) != 0 || len(step.Errors) != 0 {
			t.Fatalf("%+v", step)
		}
		if w.running(guarded)[p3] || w.crontab() != pausedText() {
			t.Fatal("p3 survives, or the crontab changed")
		}
		if !hasRecord(w.audited(), "jobs.kill", guarded, "end") {
			t.Fatal("kill not audited")
		}
	})

	t.Run("healthy again: resumed after K probes", func(t *testing.T) {
		g.AutoResume = true
		w.health.up()
		for i := 1; i < 3; i++ {
			step := probe(t, g, guard.ExitActed) // still paused by guard
			if !step.Healthy || step.State.Successes != i || w.crontab() != pausedText() {
				t.Fatalf("probe %d: %+v", i, step)
			}
		}
		step := probe(t, g, guard.ExitActed) // acted: resumed
		if !step.Acted || len(step.State.Paused) != 0 || len(step.Errors) != 0 {
			t.Fatalf("%+v", step)
		}
		if got := w.crontab(); got != crontabText() {
			t.Fatalf("crontab after resume:\n%q\nwant\n%q", got, crontabText())
		}
		if !hasRecord(w.audited(), "jobs.resume", guarded, "end") {
			t.Fatal("resume not audited")
		}
		probe(t, g, guard.ExitHealthy)
	})

	t.Run("report only: pm2 app stopped, then started; stays paused", func(t *testing.T) {
		g.AutoResume = false
		w.pm2(services.Stop)
		for i := 1; i <= 3; i++ {
			probe(t, g, map[bool]int{true: guard.ExitActed, false: guard.ExitUnhealthy}[i == 3])
		}
		if w.crontab() != pausedText() {
			t.Fatal("not paused after the pm2 app stopped")
		}
		w.pm2(services.Start)
		var step guard.Step
		for i := 1; i <= 4; i++ {
			svctest.Eventually(t, 30*time.Second, "index-linux healthy", func() bool {
				ok, _ := health.IndexLinux(context.Background(), w.cfg, w.h)
				return ok
			})
			step = probe(t, g, guard.ExitActed)
		}
		if step.Acted || len(step.State.Paused) != 1 || len(step.Notes) != 1 || !strings.Contains(step.Notes[0], "auto_resume is off") {
			t.Fatalf("%+v", step)
		}
		if w.crontab() != pausedText() {
			t.Fatal("report-only mode resumed")
		}
		// The operator resumes by hand: guard forgets the job.
		a, err := jobs.ResumeAction(context.Background(), w.h, w.cfg, guarded)
		if err != nil {
			t.Fatal(err)
		}
		if res := gate.New(false, w.audit).Do(context.Background(), a); res.Err != nil {
			t.Fatal(res.Err)
		}
		step = probe(t, g, guard.ExitHealthy)
		if len(step.State.Paused) != 0 || len(step.Notes) != 1 || !strings.Contains(step.Notes[0], "resumed by someone else") {
			t.Fatalf("%+v", step)
		}
	})

	t.Run("paused by someone else: processes stopped, lines never resumed", func(t *testing.T) {
		// Start afresh: the operator paused the job by hand (Jobs tab).
		os.Remove(w.cfg.Guard.StateFile)
		g.AutoResume = true
		w.writeCrontab(crontabText())
		a, err := jobs.PauseAction(context.Background(), w.h, w.cfg, guarded, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		if res := gate.New(false, w.audit).Do(context.Background(), a); res.Err != nil {
			t.Fatal(res.Err)
		}
		p4 := w.spawn(guarded)
		w.health.down()
		probe(t, g, guard.ExitUnhealthy)
		probe(t, g, guard.ExitUnhealthy)
		step := probe(t, g, guard.ExitActed)
		if len(step.State.Paused) != 0 || len(step.Notes) != 1 || !strings.Contains(step.Notes[0], "not by guard") {
			t.Fatalf("%+v", step)
		}
		if w.running(guarded)[p4] || w.crontab() != pausedText() {
			t.Fatal("p4 survives, or the crontab changed")
		}
		w.health.up()
		for i := 1; i <= 4; i++ {
			step = probe(t, g, guard.ExitHealthy)
		}
		if step.Acted || w.crontab() != pausedText() {
			t.Fatalf("guard resumed lines it did not pause: %+v", step)
		}
	})

	t.Run("crontab unreadable: processes still stopped", func(t *testing.T) {
		os.Remove(w.cfg.Guard.StateFile)
		os.Remove(w.cfg.Crontab.Path)
		p6 := w.spawn(guarded)
		w.health.down()
		probe(t, g, guard.ExitUnhealthy)
		probe(t, g, guard.ExitUnhealthy)
		step := probe(t, g, guard.ExitActed)
		if len(step.State.Paused) != 0 || len(step.Errors) != 1 || !strings.Contains(step.Errors[0], "no such file") {
			t.Fatalf("%+v", step)
		}
		if w.running(guarded)[p6] {
			t.Fatal("p6 survives")
		}
		w.health.up()
	})

	// Issue 15 item 2: a reload that fails (a real script exiting 1) does
	// not keep guard from stopping the check, and the written pause is
	// still guard's to resume.
	t.Run("reload fails: processes still stopped, the pause is guard's", func(t *testing.T) {
		os.Remove(w.cfg.Guard.StateFile)
		w.writeCrontab(crontabText())
		reload := filepath.Join(w.dir, "reload-fails.sh")
		if err := os.WriteFile(reload, []byte("#!/bin/sh\necho 'Job for crond.service failed.' >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		saved := w.cfg.Crontab.Reload
		w.cfg.Crontab.Reload = []string{reload}
		defer func() { w.cfg.Crontab.Reload = saved }()
		p7 := w.spawn(guarded)
		w.health.down()
		probe(t, g, guard.ExitUnhealthy)
		probe(t, g, guard.ExitUnhealthy)
		step := probe(t, g, guard.ExitActed)
		if w.running(guarded)[p7] {
			t.Fatalf("p7 survives the failing reload: %+v", step)
		}
		if w.crontab() != pausedText() || len(step.State.Paused) != 1 || len(step.Errors) != 1 || !strings.Contains(step.Errors[0], "reload failed") {
			t.Fatalf("%+v", step)
		}
		w.health.up()
		os.Remove(w.cfg.Guard.StateFile)
	})

	t.Run("read-only: counts and reports, changes nothing", func(t *testing.T) {
		os.Remove(w.cfg.Guard.StateFile)
		w.writeCrontab(crontabText())
		p5 := w.spawn(guarded)
		before := len(w.audited())
		w.cfg.ReadOnly = true
		ro := w.guard(gate.New(true, w.audit))
		w.cfg.ReadOnly = false
		w.health.down()
		probe(t, ro, guard.ExitUnhealthy)
		probe(t, ro, guard.ExitUnhealthy)
		for range 2 {
			step := probe(t, ro, guard.ExitActed)
			if step.Acted || len(step.State.Paused) != 0 || len(step.Did) != 1 || !strings.HasPrefix(step.Did[0], "read-only: would run jobs.pause") {
				t.Fatalf("%+v", step)
			}
		}
		if w.crontab() != crontabText() || !w.running(guarded)[p5] || len(w.audited()) != before {
			t.Fatal("read-only guard changed something")
		}
		w.health.up()
	})
	if !w.running(other)[bystander] {
		t.Fatal("the other job's process was stopped")
	}
}

// TestStateFile: a corrupt state file is an error that says what to do,
// and nothing is acted on.
func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "guard.json")
	os.WriteFile(path, []byte("{not json"), 0o644)
	probed := false
	g := &guard.Guard{StateFile: path, Threshold: 1, Probe: func(context.Context) (bool, string) { probed = true; return false, "x" }}
	if _, err := g.Once(context.Background()); err == nil || !strings.Contains(err.Error(), "delete it") || probed {
		t.Fatalf("err %v, probed %v", err, probed)
	}
	os.Remove(path)
	step, err := g.Once(context.Background())
	if err != nil || step.State.Failures != 1 || step.ExitCode() != guard.ExitActed {
		t.Fatalf("%+v %v", step, err)
	}
	st, err := guard.LoadState(path)
	if err != nil || st.Failures != 1 || st.LastReason != "x" {
		t.Fatalf("%+v %v", st, err)
	}
}
