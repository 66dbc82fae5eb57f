package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

func TestFindMissed(t *testing.T) {
	s, _ := crontab.ParseSchedule("0 3,15 * * *")
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.Local)
	at15 := time.Date(2026, 11, 27, 15, 0, 0, 0, time.Local)
	running := []Proc{{Process: host.Process{PID: 5, Start: at15}}}
	cases := []struct {
		name     string
		now      time.Time
		boot     time.Time
		activity time.Time
		procs    []Proc
		missed   bool
		reason   string
	}{
		{"ran: log written after", now, time.Time{}, at15.Add(10 * time.Minute), nil, false, ""},
		{"running", now, time.Time{}, time.Time{}, running, false, ""},
		{"nothing since 15:00", now, now.Add(-30 * 24 * time.Hour), at15.Add(-11 * time.Hour), nil, true, "no process"},
		{"rebooted over 15:00", now, at15.Add(3 * time.Minute), at15.Add(-11 * time.Hour), nil, true, "down"},
		{"too early to say", at15.Add(2 * time.Minute), time.Time{}, time.Time{}, nil, true, "no process"}, // judged on 03:00
	}
	for _, c := range cases {
		m := FindMissed([]crontab.Schedule{s}, c.now, c.boot, c.activity, c.procs)
		if (m != nil) != c.missed || (m != nil && !strings.Contains(m.Reason, c.reason)) {
			t.Errorf("%s: %+v", c.name, m)
		}
	}
	if m := FindMissed(nil, now, time.Time{}, time.Time{}, nil); m != nil {
		t.Error("missed without a schedule")
	}
}

func TestSnapshotPauseResume(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	h := host.NewLocalEditing(edittest.Dirs(t))
	marker := filepath.Join(cfg.App.Dir, "reloaded")
	cfg.Crontab.Reload = []string{"touch", marker}
	tab := "SHELL=/bin/bash\r\n0 3,15 * * * richs cd " + cfg.App.Dir + " && python manage.py " + mercari + " 2 4\r\n" +
		"30 3 * * * richs python manage.py " + mercariV2 + "\r\n" +
		"# 0 4 * * * richs python manage.py " + updMerc + "\r\n"
	if err := os.WriteFile(cfg.Crontab.Path, []byte(tab), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg.JobLogPath(cfg.Jobs[1]), []byte("2026-11-27 03:00:02,000 INFO start\n"), 0o644)
	c := spawn(t, cfg.App.Dir, "sh", "manage.py", mercari)
	settled(t, c.Process.Pid)
	eventually(t, "listed", func() bool { ps, _ := List(ctx, h, cfg, []string{mercari}); return len(ps) == 1 })

	now := time.Now()
	st, err := Snapshot(ctx, h, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	m := st[1]
	if m.State != crontab.StateActive || len(m.Schedule) != 1 || m.Next.IsZero() || len(m.Procs) != 1 || m.LastFrom != "log" || m.LastRun.Hour() != 3 {
		t.Fatalf("%+v", m)
	}
	if st[3].State != crontab.StateDisabled || st[0].State != crontab.StateAbsent {
		t.Errorf("states %s %s", st[3].State, st[0].State)
	}

	a, err := PauseAction(ctx, h, cfg, mercari, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pv := strings.Join(a.Preview, "\n")
	if !strings.Contains(pv, crontab.PausedPrefix) || !strings.Contains(pv, "touch") || !strings.Contains(pv, "pid ") {
		t.Errorf("preview: %s", pv)
	}
	if _, err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if alive(c.Process.Pid) {
		t.Error("pause --kill left the process")
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("reload not run")
	}
	f, _ := crontab.Load(ctx, h, cfg.Crontab.Path)
	if f.JobState(mercari) != crontab.StatePaused || f.JobState(mercariV2) != crontab.StateActive {
		t.Fatalf("after pause: %s %s", f.JobState(mercari), f.JobState(mercariV2))
	}
	if _, err := ResumeAction(ctx, h, cfg, updMerc); err == nil {
		t.Error("resumed a line someone else commented out")
	}
	a, err = ResumeAction(ctx, h, cfg, mercari)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(cfg.Crontab.Path); string(b) != tab {
		t.Fatalf("resume gave %q", b)
	}
	// A line added between preview and confirm is kept: the pause is
	// made on the file as it is under the lock.
	a, _ = PauseAction(ctx, h, cfg, mercari, false, 0)
	os.WriteFile(cfg.Crontab.Path, []byte(tab+"# later\n"), 0o644)
	if _, err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if f, _ := crontab.Load(ctx, h, cfg.Crontab.Path); f.JobState(mercari) != crontab.StatePaused || !strings.HasSuffix(string(f.Data), "# later\n") {
		t.Fatalf("pause after an unrelated change: %q", f.Data)
	}
	// Refused when the job's own lines changed between preview and confirm
	// (resumed by hand): nothing written.
	a, _ = ResumeAction(ctx, h, cfg, mercari)
	os.WriteFile(cfg.Crontab.Path, []byte(tab), 0o644)
	if _, err := a.Run(ctx); err == nil {
		t.Fatal("resumed over a crontab whose job lines changed")
	}
	if b, _ := os.ReadFile(cfg.Crontab.Path); string(b) != tab {
		t.Fatalf("refused resume wrote %q", b)
	}
}

// noBootTime is a host (this machine, named as another) whose /proc/stat
// cannot be read.
type noBootTime struct{ *host.Local }

func (noBootTime) IsLocal() bool { return false }

func (n noBootTime) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if path == "/proc/stat" {
		return nil, os.ErrPermission
	}
	return n.Local.ReadFile(ctx, path)
}

// A boot time that could not be read is an unknown part (so `jobs list`
// exits 1 and names it) for a scheduled job, not silently "never booted".
func TestSnapshotUnreadBootTime(t *testing.T) {
	need(t, "ps", "readlink")
	cfg := newApp(t)
	os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs python manage.py "+mercari+" 2 4\n"), 0o644)
	h := noBootTime{host.NewLocalEditing(edittest.Dirs(t))}
	st, err := Snapshot(context.Background(), h, cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if want := s.Name == mercari; s.Known(PartBoot) == want {
			t.Errorf("%s: unknown %v, errors %v", s.Name, s.Unknown, s.Errors)
		}
	}
}

// A pause whose crontab was written but whose reload failed is still
// richsops' (the audit record says written): the status says who paused
// it, not "not through richsops".
func TestPauseWithFailedReloadIsStillOurs(t *testing.T) {
	cfg := newApp(t)
	cfg.AuditLog = filepath.Join(t.TempDir(), "audit.jsonl")
	cfg.Crontab.Reload = []string{"false"}
	ctx := context.Background()
	h := edittest.Local(cfg)
	os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs python manage.py "+mercari+" 2 4\n"), 0o644)
	a, err := PauseAction(ctx, h, cfg, mercari, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := gate.New(false, cfg.AuditLog)
	g.User = "tester"
	if r := g.Do(ctx, a); r.Err == nil {
		t.Fatal("the reload was to fail")
	}
	st, err := Snapshot(ctx, h, cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == mercari && (s.Paused == nil || s.Paused.By != ByOperator || s.Paused.User != "tester") {
			t.Errorf("%s: paused %+v", s.Name, s.Paused)
		}
	}
}

// TestSnapshotGuardNow: GuardNow says for every guarded job (not only a
// paused one) whether its guard is healthy now, and Precheck refuses as
// RunAction does, without building the action.
func TestSnapshotGuardNow(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	h := host.NewLocal()
	os.WriteFile(cfg.Crontab.Path, []byte("0 3,15 * * * richs python manage.py "+mercari+"\n"), 0o644)
	check, down := guardServer(t)
	saved := DefaultGuard
	t.Cleanup(func() { DefaultGuard = saved })
	DefaultGuard = check
	st, err := Snapshot(ctx, h, cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st[1].GuardOK != nil {
		t.Errorf("Snapshot asked the guard: %+v", st[1])
	}
	GuardNow(ctx, st)
	if g := st[1]; g.Guard == "" || g.GuardOK == nil || !*g.GuardOK {
		t.Fatalf("guarded job: %+v", g)
	}
	if st[0].GuardOK != nil {
		t.Errorf("unguarded job has a guard reading: %+v", st[0])
	}
	if err := Precheck(ctx, h, cfg, RunSpec{Job: mercari}, check); err != nil {
		t.Errorf("healthy: %v", err)
	}
	down()
	st, _ = Snapshot(ctx, h, cfg, time.Now())
	GuardNow(ctx, st)
	if g := st[1]; g.GuardOK == nil || *g.GuardOK || g.GuardReason == "" {
		t.Errorf("guard down: %+v", g)
	}
	var ge *GuardError
	if err := Precheck(ctx, h, cfg, RunSpec{Job: mercari}, check); !errors.As(err, &ge) {
		t.Errorf("guard down: %v", err)
	}
	if err := Precheck(ctx, h, cfg, RunSpec{Job: mercari, Override: true}, check); err != nil {
		t.Errorf("override: %v", err)
	}
}
