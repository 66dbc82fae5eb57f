package forecast_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/watch"
)

// fillRun is one run of a tmpfs filled at a known rate, sampled through
// the watch service's own Sample path with its clock injected: step MiB
// written between samples taken every "30 s".
type fillRun struct {
	Samples   int
	Step      int64 // bytes written between samples
	Truth     float64
	Forecast  float64
	Error     float64 // |forecast - truth| / truth
	Forecasts bool
}

const sampleEvery = 30 * time.Second

// tmpfsFill mounts a tmpfs of size bytes, takes n samples with step bytes
// written before each but the first (and, before sample purgeAt when it is
// not 0, every file written so far removed, as a purge frees space), and
// forecasts from the history database as `richsops check` would.
func tmpfsFill(t testing.TB, size, step int64, n, purgeAt int) fillRun {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (mount -t tmpfs)")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "fill")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	cfg := config.Default()
	cfg.StateDir, cfg.LockDir = filepath.Join(dir, "state"), filepath.Join(dir, "locks")
	cfg.History.Path = filepath.Join(dir, "history.db")
	cfg.Public.Dir = mnt
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := &watch.Watcher{Cfg: cfg, Host: host.NewLocal(), Store: s, SkipDB: true}
	defer w.Close()
	start := time.Now().Add(-time.Duration(n) * sampleEvery).Truncate(time.Second)
	chunk := make([]byte, step)
	var now time.Time
	for i := 0; i < n; i++ {
		if i > 0 && i == purgeAt {
			for j := 1; j < i; j++ {
				if err := os.Remove(filepath.Join(mnt, fmt.Sprintf("f%03d", j))); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i > 0 {
			if err := os.WriteFile(filepath.Join(mnt, fmt.Sprintf("f%03d", i)), chunk, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		now = start.Add(time.Duration(i) * sampleEvery)
		ss, errs := w.Sample(ctx, now)
		if len(errs) > 0 {
			t.Fatalf("sample: %v", errs)
		}
		if err := s.AddSamples(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := forecast.Read(ctx, s, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := float64(st.Bavail) * float64(st.Bsize)
	r := fillRun{Samples: n, Step: step, Truth: free / (float64(step) * float64(time.Hour/sampleEvery))}
	for _, f := range fs {
		if f.Disk == forecast.DiskPublic {
			r.Forecast, r.Forecasts = f.HoursLeft(now)
		}
	}
	if r.Forecasts {
		r.Error = abs(r.Forecast-r.Truth) / r.Truth
	}
	return r
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// A tmpfs filled at a known rate gives "full in" within 10% of the truth
// after 10 samples (issue 19, section 7).
// A purge in the middle (space freed) does not spoil it: the fit starts
// after it.
func TestTmpfsFilledAtAKnownRate(t *testing.T) {
	for _, c := range []struct {
		name       string
		size, step int64
		n, purgeAt int
	}{
		{"steady", 64 << 20, 2 << 20, 10, 0},
		{"after a purge", 256 << 20, 4 << 20, 22, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := tmpfsFill(t, c.size, c.step, c.n, c.purgeAt)
			if !r.Forecasts || r.Error > 0.10 {
				t.Fatalf("forecast %.4f h, truth %.4f h (error %.1f%%, forecasts %v)", r.Forecast, r.Truth, r.Error*100, r.Forecasts)
			}
			t.Logf("forecast %.4f h, truth %.4f h, error %.2f%%", r.Forecast, r.Truth, r.Error*100)
		})
	}
}
