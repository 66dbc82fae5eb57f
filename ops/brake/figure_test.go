package brake_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ops/brake"
)

// pacedManage stands in for manage.py: it writes a stamped withdrawal line
// into the job's log every 100th turn of 50 ms (about 11 a minute, under
// the usual rate the history is seeded with), and once $BRAKE_FAST exists
// every turn of 10 ms (as fast as a shell forks date).
const pacedManage = `#!/bin/sh
i=0
while :; do
  d=0.05
  [ -e "$BRAKE_FAST" ] && d=0.01
  if [ $d = 0.01 ] || [ $((i % 100)) -eq 0 ]; then
    printf '%s INFO inventory.mercari ` + withdrawn + `: item\n' "$(date '+%Y-%m-%d %H:%M:%S,000')" >> "$BRAKE_LOG"
  fi
  i=$((i + 1))
  sleep $d
done
`

// timeToStop runs a paced job with the brake's loop at its default poll,
// lets it withdraw at its usual rate for steady and a random part of a
// poll (the rise comes at any point between two polls), raises the rate and
// returns how long it took from there until its process was gone and its
// cron lines paused.
func timeToStop(t testing.TB, w *world, steady time.Duration) time.Duration {
	t.Helper()
	// Its own folder: MatchJob wants an argument ending in manage.py.
	script := filepath.Join(w.dir, "paced", "manage.py")
	fast := filepath.Join(w.dir, "fast")
	if err := os.MkdirAll(filepath.Dir(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(pacedManage), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(fast)
	w.writeFile(w.cfg.Crontab.Path, crontabText())
	cmd := exec.Command("sh", script, braked, "2", "4")
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "BRAKE_LOG="+w.log, "BRAKE_FAST="+fast)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	ctx, cancel := context.WithCancel(context.Background())
	loop := make(chan struct{})
	go func() {
		defer close(loop)
		w.brake(w.gate()).Loop(ctx, brake.DefaultPoll, nil)
	}()
	defer func() { cancel(); <-loop }()
	time.Sleep(steady + rand.N(brake.DefaultPoll))
	if w.crontab() != crontabText() {
		t.Fatal("braked at the usual rate")
	}
	start := time.Now()
	if err := os.WriteFile(fast, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case <-done:
			if w.crontab() == pausedText() {
				return time.Since(start)
			}
		case <-deadline:
			t.Fatal("not braked within 2 minutes")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func figureWorld(t testing.TB) *world {
	w := newWorld(t)
	w.seed(7, 120) // 12 a minute usual: braked over 60
	return w
}

// TestStopsWithinAMinute is the figure: from the rate rising to the
// job stopped and paused, under 60 s at the default poll.
func TestStopsWithinAMinute(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about 20 s")
	}
	w := figureWorld(t)
	d := timeToStop(t, w, 12*time.Second)
	t.Logf("braked %s after the rate rose", d.Round(10*time.Millisecond))
	if d >= time.Minute {
		t.Fatalf("stopped after %s", d)
	}
}

// BenchmarkTimeToStop measures the same, each iteration one run braked
// (bench/brake.sh): the median in seconds is its figure.
func BenchmarkTimeToStop(b *testing.B) {
	w := figureWorld(b)
	var ds []time.Duration
	for b.Loop() {
		ds = append(ds, timeToStop(b, w, 6*time.Second))
	}
	slices.Sort(ds)
	b.ReportMetric(ds[len(ds)/2].Seconds(), "median-s")
	b.ReportMetric(ds[0].Seconds(), "min-s")
	b.ReportMetric(ds[len(ds)-1].Seconds(), "max-s")
}
