package forecast

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// benchDays of samples every benchStep: the full-rate retention.
const (
	benchDays  = 14
	benchStep  = 30 * time.Second
	benchRate  = 1 << 30   // the datadir fills 1 GiB/h
	benchNoise = 30 << 20  // with 30 MiB of noise (temporary tables, the logs' own growth)
	benchPurge = 20 << 30  // and a purge frees 20 GiB every day at 03:00
	benchFree0 = 200 << 30 // free at the start
)

// benchSeries is the datadir's free bytes over benchDays ending at end, and
// the true free bytes without noise (for the error).
func benchSeries(end time.Time) (pts []Point, truth func(i int) float64) {
	r := rand.New(rand.NewSource(19))
	start := end.Add(-benchDays * 24 * time.Hour)
	n := int(benchDays * 24 * time.Hour / benchStep)
	clean := make([]float64, n)
	v := float64(benchFree0)
	for i := range n {
		at := start.Add(time.Duration(i) * benchStep)
		if i > 0 {
			v -= benchRate * benchStep.Hours()
			if at.Hour() == 3 && at.Add(-benchStep).Hour() == 2 {
				v += benchPurge
			}
		}
		clean[i] = v
		pts = append(pts, Point{T: at, V: v + r.NormFloat64()*benchNoise})
	}
	return pts, func(i int) float64 { return clean[i] }
}

// BenchmarkForecastError forecasts the datadir every hour over 14 days of
// noisy samples with a daily purge and reports how far "full in" is from
// the truth (free without noise / the true rate): the median and the 90th
// percentile of the error, and the share of hours without a forecast (just
// after a purge: too few samples since).
func BenchmarkForecastError(b *testing.B) {
	end := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	pts, truth := benchSeries(end)
	perHour := int(time.Hour / benchStep)
	var errs []float64
	unknown, hours := 0, 0
	for b.Loop() {
		errs, unknown, hours = errs[:0], 0, 0
		for i := 2 * perHour; i < len(pts); i += perHour {
			now := pts[i].T
			f := Compute(pts[:i+1], now)
			hours++
			h, ok := f.HoursLeft(now)
			if !ok {
				unknown++
				continue
			}
			want := truth(i) / benchRate
			errs = append(errs, math.Abs(h-want)/want)
		}
	}
	slices.Sort(errs)
	b.ReportMetric(100*errs[len(errs)/2], "median_err_%")
	b.ReportMetric(100*errs[len(errs)*9/10], "p90_err_%")
	b.ReportMetric(100*float64(unknown)/float64(hours), "unknown_%")
}

// BenchmarkJudge14Days is one forecast of every disk as `richsops check`
// makes it, from a real history database holding 14 days of samples of the
// three disks every 30 s: open, read the last day, fit, read the levels.
func BenchmarkJudge14Days(b *testing.B) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Database.Datadir = "/var/lib/mysql"
	cfg.History.Path = filepath.Join(b.TempDir(), "history.db")
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		b.Fatal(err)
	}
	end := time.Now().Truncate(time.Second)
	pts, _ := benchSeries(end)
	var ss []history.Sample
	for _, m := range []string{history.MetricFreeRoot, history.MetricFreeDatadir, history.MetricFreePublic} {
		for _, p := range pts {
			ss = append(ss, history.Sample{Metric: m, Host: "local", Time: p.T, Value: p.V})
		}
	}
	if err := s.AddSamples(ctx, ss); err != nil {
		b.Fatal(err)
	}
	s.Close()
	for b.Loop() {
		res, err := Judge(ctx, cfg, end, "bench")
		if err != nil || len(res.Forecasts) != 3 {
			b.Fatal(err, res)
		}
	}
}
