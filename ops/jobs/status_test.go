package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/crontab"
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
	h := host.NewLocal()
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
	// Refused when the file changed between preview and confirm.
	a, _ = PauseAction(ctx, h, cfg, mercari, false, 0)
	os.WriteFile(cfg.Crontab.Path, []byte(tab+"# later\n"), 0o644)
	if _, err := a.Run(ctx); err == nil {
		t.Fatal("wrote over a changed crontab")
	}
}
