package forecast

import (
	"math"
	"math/rand"
	"testing"
	"time"
)

const gib = 1 << 30

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// series is free bytes sampled every step from start for n samples,
// starting at free0 and filling perHour bytes an hour.
func series(start time.Time, step time.Duration, n int, free0, perHour float64) []Point {
	out := make([]Point, n)
	for i := range out {
		at := start.Add(time.Duration(i) * step)
		out[i] = Point{T: at, V: free0 - perHour*at.Sub(start).Hours()}
	}
	return out
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

func TestCompute(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	steady := series(t0, time.Minute, 24*60+1, 100*gib, 2*gib)
	withGap := append(series(now.Add(-time.Hour), time.Minute, 20, 30*gib, 3*gib), series(now.Add(-10*time.Minute), time.Minute, 11, 30*gib-3*gib*50.0/60, 3*gib)...)
	// Filling 4 GiB/h, then a purge frees 40 GiB 30 minutes ago.
	before := series(now.Add(-5*time.Hour), time.Minute, 270, 50*gib, 4*gib)
	purged := append(before, series(now.Add(-30*time.Minute), time.Minute, 31, 70*gib, 4*gib)...)
	justPurged := append(before, series(now.Add(-time.Minute), time.Minute, 2, 70*gib, 4*gib)...)
	noisy := series(now.Add(-time.Hour), 30*time.Second, 121, 20*gib, gib)
	r := rand.New(rand.NewSource(1))
	for i := range noisy {
		noisy[i].V += (r.Float64() - 0.5) * (50 << 20)
	}
	for _, c := range []struct {
		name      string
		pts       []Point
		known     bool
		hourRate  float64 // bytes/h (0: not checked)
		dayRate   float64
		filling   bool
		hoursLeft float64
		freed     bool
	}{
		{"steady", steady, true, 2 * gib, 2 * gib, true, 26, false},
		{"gap in the hour", withGap, true, 3 * gib, 3 * gib, true, (30*gib - 3*gib) / (3 * gib), false},
		{"purge in the window", purged, true, 4 * gib, 0, true, (70*gib - 2*gib) / (4 * gib), true},
		{"just purged", justPurged, false, 0, 0, false, 0, true},
		{"noisy", noisy, true, gib, 0, true, 19, false},
		{"growing", series(now.Add(-time.Hour), time.Minute, 61, 10*gib, -gib), true, -gib, 0, false, 0, false},
		{"static", series(now.Add(-time.Hour), time.Minute, 61, 10*gib, 0), true, 0, 0, false, 0, false},
		{"two samples", series(now.Add(-time.Minute), time.Minute, 2, 10*gib, gib), false, 0, 0, false, 0, false},
		{"seconds of samples", series(now.Add(-3*time.Second), time.Second, 4, 10*gib, gib), false, 0, 0, false, 0, false},
		{"stale", series(now.Add(-3*time.Hour), time.Minute, 61, 10*gib, gib), false, 0, gib, false, 0, false},
		{"none", nil, false, 0, 0, false, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Compute(c.pts, now)
			if f.Known() != c.known {
				t.Fatalf("known %v, want %v (%+v)", f.Known(), c.known, f.Hour)
			}
			if c.hourRate != 0 && !near(f.Hour.BytesPerHour, c.hourRate, 0.05) {
				t.Errorf("hour rate %.0f, want %.0f", f.Hour.BytesPerHour, c.hourRate)
			}
			if c.hourRate == 0 && c.known && math.Abs(f.Hour.BytesPerHour) > 1 {
				t.Errorf("hour rate %.0f, want 0", f.Hour.BytesPerHour)
			}
			if c.dayRate != 0 && (!f.Day.OK || !near(f.Day.BytesPerHour, c.dayRate, 0.05)) {
				t.Errorf("day rate %+v, want %.0f", f.Day, c.dayRate)
			}
			if f.Filling() != c.filling {
				t.Errorf("filling %v, want %v", f.Filling(), c.filling)
			}
			h, ok := f.HoursLeft(now)
			if ok != c.filling || (ok && !near(h, c.hoursLeft, 0.05)) {
				t.Errorf("hours left %.2f %v, want %.2f", h, ok, c.hoursLeft)
			}
			if !f.FreedAt.IsZero() != c.freed {
				t.Errorf("freed at %v, want freed %v", f.FreedAt, c.freed)
			}
		})
	}
}

// A forecast whose last sample is a while old counts the time since.
func TestHoursLeftCountsSinceLastSample(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	f := Compute(series(t0.Add(time.Hour), time.Minute, 31, 10*gib, gib), now)
	h, ok := f.HoursLeft(now)
	// 10 GiB - 0.5 GiB at the last sample, half an hour before now.
	if !ok || !near(h, 9.5-0.5, 0.01) {
		t.Fatalf("hours %.3f %v", h, ok)
	}
}

// Whatever the samples, a forecast never panics, a known rate is finite,
// and the hours left are finite and not negative; a series that only goes
// down (filling) never gives a negative rate.
func FuzzCompute(f *testing.F) {
	f.Add(int64(1), uint8(30), uint16(10), false)
	f.Add(int64(7), uint8(200), uint16(3000), true)
	f.Fuzz(func(t *testing.T, seed int64, n uint8, stepS uint16, purge bool) {
		r := rand.New(rand.NewSource(seed))
		now := t0.Add(24 * time.Hour)
		at := now.Add(-time.Duration(int(n)*int(stepS)) * time.Second)
		v := float64(r.Int63n(1 << 40))
		var pts []Point
		down := true
		for i := 0; i < int(n); i++ {
			at = at.Add(time.Duration(1+r.Intn(int(stepS)+1)) * time.Second)
			if at.After(now) {
				break
			}
			d := r.Float64() * gib
			if purge && r.Intn(20) == 0 {
				v += float64(r.Int63n(100 * gib))
				down = false
			}
			v = math.Max(v-d, 0)
			pts = append(pts, Point{T: at, V: v})
		}
		fc := Compute(pts, now)
		for _, rt := range []Rate{fc.Hour, fc.Day} {
			if rt.OK && (math.IsNaN(rt.BytesPerHour) || math.IsInf(rt.BytesPerHour, 0)) {
				t.Fatalf("rate %+v", rt)
			}
		}
		if down && fc.Known() && fc.Hour.BytesPerHour < 0 {
			t.Fatalf("a filling disk gave a negative rate %+v", fc.Hour)
		}
		if h, ok := fc.HoursLeft(now); ok && (h < 0 || math.IsNaN(h) || math.IsInf(h, 0)) {
			t.Fatalf("hours %v", h)
		}
	})
}
