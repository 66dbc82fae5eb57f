// Package forecast says when a disk will be full: from the free bytes the
// watch service samples (ops/history) it fits the fill rate over the last
// hour and the last day and turns it into "full in about N h", with a
// level (ok, warn, crit) that is raised under its hours and cleared only
// above its clear hours, so it does not flap.
package forecast

import (
	"math"
	"slices"
	"time"
)

// Point is one sample of a disk's free bytes.
type Point struct {
	T time.Time
	V float64
}

// Windows of the two rates.
const (
	HourWindow = time.Hour
	DayWindow  = 24 * time.Hour
)

// Tuning of the fit.
const (
	// MinPoints a rate needs.
	MinPoints = 3
	// A rate needs its points to span at least this share of its window:
	// a few seconds of samples say nothing of an hour.
	minSpanShare = 30
	// A rise of free space bigger than jumpFactor times the usual step
	// (and than minJump, for a disk that does not move) is space freed (a
	// purge, a deleted file): the fit starts after the last one, as the
	// fill before it says nothing of the disk now.
	jumpFactor = 8
	minJump    = 1 << 20
)

// Rate is a fill rate over a window.
type Rate struct {
	// BytesPerHour is how fast free space goes: positive while filling,
	// negative while it grows. Meaningful only when OK.
	BytesPerHour float64
	N            int           // points fitted
	Span         time.Duration // from the first to the last point fitted
	OK           bool          // enough points over enough time
}

// Fit is the least-squares fill rate of the points within window before
// now; points are oldest first (Compute passes those after the last big
// rise of free space).
func Fit(points []Point, now time.Time, window time.Duration) Rate {
	in := Within(points, now, window)
	var r Rate
	r.N = len(in)
	if r.N > 0 {
		r.Span = in[r.N-1].T.Sub(in[0].T)
	}
	if r.N < MinPoints || r.Span < window/minSpanShare {
		return r
	}
	slope, ok := slope(in)
	if !ok {
		return r
	}
	r.BytesPerHour, r.OK = -slope, true
	return r
}

// Within is the points in (now-window, now].
func Within(points []Point, now time.Time, window time.Duration) []Point {
	from := now.Add(-window)
	lo, _ := slices.BinarySearchFunc(points, from, func(p Point, t time.Time) int { return p.T.Compare(t) })
	hi, found := slices.BinarySearchFunc(points, now, func(p Point, t time.Time) int { return p.T.Compare(t) })
	if found {
		hi++
	}
	for lo < len(points) && !points[lo].T.After(from) {
		lo++
	}
	if lo > hi {
		return nil
	}
	return points[lo:hi]
}

// AfterJump is the points after the last big rise of free space, and the
// time of the first of them when there was one (zero otherwise).
func AfterJump(points []Point) ([]Point, time.Time) {
	if len(points) < 2 {
		return points, time.Time{}
	}
	steps := make([]float64, 0, len(points)-1)
	for i := 1; i < len(points); i++ {
		steps = append(steps, math.Abs(points[i].V-points[i-1].V))
	}
	slices.Sort(steps)
	limit := max(jumpFactor*steps[len(steps)/2], minJump)
	for i := len(points) - 1; i > 0; i-- {
		if points[i].V-points[i-1].V > limit {
			return points[i:], points[i].T
		}
	}
	return points, time.Time{}
}

// slope of value over hours by least squares, centred for precision.
func slope(ps []Point) (float64, bool) {
	t0 := ps[0].T
	var mx, my float64
	for _, p := range ps {
		mx += p.T.Sub(t0).Hours()
		my += p.V
	}
	n := float64(len(ps))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range ps {
		dx := p.T.Sub(t0).Hours() - mx
		sxy += dx * (p.V - my)
		sxx += dx * dx
	}
	if sxx == 0 || math.IsNaN(sxy) || math.IsInf(sxy, 0) {
		return 0, false
	}
	return sxy / sxx, true
}
