package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// Issue 15 item 2: a reload that fails (a real script exiting 1) must not
// keep pause --kill from stopping the running check; the outcome says what
// each step did and the error says the crontab was written.
func TestPauseKillsDespiteFailingReload(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	h := edittest.Local(cfg)
	reload := filepath.Join(cfg.App.Dir, "reload.sh")
	must(t, os.WriteFile(reload, []byte("#!/bin/sh\necho 'Failed to reload crond.service: Unit crond.service not found.' >&2\nexit 1\n"), 0o755))
	cfg.Crontab.Reload = []string{reload}
	must(t, os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs cd "+cfg.App.Dir+" && python manage.py "+mercari+" 2 4\n"), 0o644))
	c := spawn(t, cfg.App.Dir, "sh", "manage.py", mercari)
	settled(t, c.Process.Pid)
	eventually(t, "listed", func() bool { ps, _ := List(ctx, h, cfg, []string{mercari}); return len(ps) == 1 })

	a, err := PauseAction(ctx, h, cfg, mercari, true, time.Second)
	must(t, err)
	res := gate.New(false, filepath.Join(t.TempDir(), "audit.jsonl")).Do(ctx, a)
	if alive(c.Process.Pid) {
		t.Fatal("the failing reload skipped the kill: the check still runs")
	}
	var w *WrittenError
	if !errors.As(res.Err, &w) || !strings.Contains(res.Err.Error(), "reload failed") {
		t.Errorf("error %v, want a WrittenError saying the reload failed", res.Err)
	}
	details := strings.Join(res.Outcome.Details, "\n")
	for _, want := range []string{"written", "reload failed", "Unit crond.service not found", "pid"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}
	if f, _ := crontab.Load(ctx, h, cfg.Crontab.Path); f.JobState(mercari) != crontab.StatePaused {
		t.Errorf("crontab not paused: %s", f.Data)
	}
}

// Issue 15 item 1: two pauses of different jobs at once (each with its
// own preview, as two `richsops jobs pause` would) both stay paused; then
// both resumes. Without the lock one of them was lost.
func TestConcurrentPausesOfDifferentJobs(t *testing.T) {
	cfg := newApp(t)
	ctx := context.Background()
	dirs := host.DirsOf(cfg)
	tab := "SHELL=/bin/sh\n0 3 * * * richs python manage.py " + mercari + " 2 4\n0 4 * * * richs python manage.py " + updMerc + " 2 4\n"
	for round := 0; round < 30; round++ {
		must(t, os.WriteFile(cfg.Crontab.Path, []byte(tab), 0o644))
		for _, build := range []func(host.Host, string) (gate.Action, error){
			func(h host.Host, job string) (gate.Action, error) { return PauseAction(ctx, h, cfg, job, false, 0) },
			func(h host.Host, job string) (gate.Action, error) { return ResumeAction(ctx, h, cfg, job) },
		} {
			var as []gate.Action
			for _, job := range []string{mercari, updMerc} {
				a, err := build(host.NewLocalEditing(dirs), job) // one host each, as two processes
				must(t, err)
				as = append(as, a)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(as))
			for i, a := range as {
				wg.Add(1)
				go func() { defer wg.Done(); _, errs[i] = a.Run(ctx) }()
			}
			wg.Wait()
			must(t, errors.Join(errs...))
		}
		if b, _ := os.ReadFile(cfg.Crontab.Path); string(b) != tab {
			t.Fatalf("round %d: after both pauses and both resumes:\n%s", round, b)
		}
	}
}

// pause --kill with nothing running says so in the outcome instead of
// leaving the kill step out silently.
func TestPauseKillWithNothingRunningSaysSo(t *testing.T) {
	ctx := context.Background()
	_, a := pauseKillNothingRunning(t)
	out, err := a.Run(ctx)
	must(t, err)
	if d := strings.Join(out.Details, "\n"); !strings.Contains(d, "no process stopped") {
		t.Errorf("details:\n%s", d)
	}
}

// pause --kill lists the job's processes again when it runs: one started
// after the preview (nothing ran then) is stopped too, and the outcome says so.
func TestPauseKillStopsWhatStartedAfterThePreview(t *testing.T) {
	ctx := context.Background()
	cfg, a := pauseKillNothingRunning(t)
	if p := strings.Join(a.Preview, "\n"); !strings.Contains(p, "listed again when this runs") {
		t.Errorf("preview:\n%s", p)
	}
	late := spawn(t, cfg.App.Dir, "sh", "manage.py", updMerc)
	settled(t, late.Process.Pid)
	out, err := a.Run(ctx)
	must(t, err)
	eventually(t, "the late process gone", func() bool { return !alive(late.Process.Pid) })
	if d := strings.Join(out.Details, "\n"); !strings.Contains(d, fmt.Sprintf("pid %d started after the preview", late.Process.Pid)) {
		t.Errorf("details:\n%s", d)
	}
}

// pauseKillNothingRunning is a pause --kill of updMerc built while none of
// its processes runs.
func pauseKillNothingRunning(t *testing.T) (*config.Config, gate.Action) {
	cfg := newApp(t)
	must(t, os.WriteFile(cfg.Crontab.Path, []byte("0 3 * * * richs python manage.py "+updMerc+" 2 4\n"), 0o644))
	a, err := PauseAction(context.Background(), edittest.Local(cfg), cfg, updMerc, true, time.Second)
	must(t, err)
	return cfg, a
}
