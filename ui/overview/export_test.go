package overview

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/hold"
	"github.com/richs/richsops/ops/public"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/traffic"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// GoldenData is a fixed box for the golden screens (golden_test.go), which
// run the tab inside the App: deps in lang with a frozen clock, and every
// source's message as if it had just been read (a busy host, an Amazon
// block 20 minutes ago, public folders, 5xx in the access log, a check's
// report).
func GoldenData(lang string) (*common.Deps, []tea.Msg) {
	d, now := uitest.GoldenDeps(config.Default(), lang), uitest.Frozen
	const gib = 1 << 30
	snap := func(at time.Time, cpu float64) sysinfo.Snapshot {
		return sysinfo.Snapshot{Time: at, Load1: 1.42, Load5: 1.10, Load15: 0.85, CPUs: 2, CPUPercent: cpu,
			MemTotal: 8 * gib, MemUsed: 5 * gib, MemPercent: 62.5, SwapTotal: 2 * gib, SwapUsed: gib / 4, SwapPercent: 12.5,
			Uptime: 41*24*time.Hour + 3*time.Hour, Boot: at.Add(-(41*24 + 3) * time.Hour),
			Disks: []sysinfo.Disk{
				{Mount: "/", Device: "/dev/xvda1", FSType: "xfs", Total: 100 * gib, Used: 91 * gib, Free: 9 * gib, Percent: 91},
				{Mount: "/var/lib/mysql", Device: "/dev/xvdb", FSType: "xfs", Total: 200 * gib, Used: 120 * gib, Free: 80 * gib, Percent: 60},
			}}
	}
	block := now.Add(-20 * time.Minute)
	amz := amazon.Status{Now: now, Total: 2, LastHour: 2, Since: block, Last: block,
		QuietFrom: block.Add(time.Hour), ClearFrom: block.Add(30 * time.Minute), ClearBy: block.Add(2 * time.Hour),
		Latest:  []amazon.Hit{{Time: block, Source: "django", Line: `GET /dp/B0C1 HTTP/1.1" 503 2671`}},
		Scanned: []string{"django"}}
	folders := []public.Folder{
		{Name: "images", Path: "/home/richs/app/public/images", Files: 120431, Size: 38 * gib, Newest: now.Add(-time.Minute), Added24h: gib / 2, Added7d: 3 * gib},
		{Name: "output", Path: "/home/richs/app/public/output", Files: 212, Size: gib / 8, Newest: now.Add(-3 * time.Hour), Added24h: 1 << 20, Added7d: 9 << 20},
		{Name: "tmp", Path: "/home/richs/app/public/tmp", Files: 1, Size: 4, Newest: now.Add(-30 * 24 * time.Hour)},
	}
	var series []traffic.Minute
	for i := range 30 {
		series = append(series, traffic.Minute{Time: now.Add(time.Duration(i-30) * time.Minute), Requests: int64(40 + i%7*5), S5xx: int64(i % 4)})
	}
	traf := traffic.Summary{File: "/var/log/nginx/access.log", Format: "combined", Lines: 1500, Requests: 1500,
		First: now.Add(-30 * time.Minute), Last: now, PerMinute: 50,
		Classes: traffic.Classes{S2xx: 1300, S3xx: 50, S4xx: 75, S5xx: 75},
		Status:  map[string]int64{"200": 1300, "304": 50, "404": 75, "502": 75},
		Series:  series}
	report := attention.Report{Source: "jobs", Items: []attention.Item{{Severity: attention.Warn, Source: "jobs",
		Text: d.T("check_item_mercari MISSED its 09:00 run: run the missed check now", "check_item_mercari の 09:00 の実行が抜けています: 抜けたチェックを今すぐ実行"),
		Key:  "R", Area: attention.AreaJobs, Subject: "check_item_mercari"}}}
	// The Yahoo jobs held by the watch service since the block began.
	held := hold.State{Now: now, Block: amz, Open: true, Since: block, Window: 3 * time.Hour, Until: block.Add(3 * time.Hour),
		Held: []string{"check_item_yahoo", "update_item_yahoo"}}
	return d, []tea.Msg{
		hostMsg{snap: snap(now.Add(-5*time.Second), 35)}, hostMsg{snap: snap(now, 48)},
		amazonMsg{st: amz, hold: held}, publicMsg{folders: folders}, trafficMsg{s: traf}, report, forecastReport(d, now),
	}
}

// forecastReport is the forecast source's report of / filling from 10.5
// GiB to 9 GiB free over the last hour: full in about 6 h, a WARN.
func forecastReport(d *common.Deps, now time.Time) attention.Report {
	const gib = 1 << 30
	var pts []forecast.Point
	for i := 0; i <= 60; i++ {
		pts = append(pts, forecast.Point{T: now.Add(time.Duration(i-60) * time.Minute), V: 10.5*gib - 1.5*gib*float64(i)/60})
	}
	f := forecast.Compute(pts, now)
	f.Disk, f.Path, f.Level = forecast.DiskRoot, "/", forecast.LevelWarn
	items := check.ForecastItems(forecast.Result{At: now, Forecasts: []forecast.Forecast{f}}, d.T)
	for i := range items {
		items[i].Source = check.SrcForecast
	}
	return attention.Report{Source: check.SrcForecast, Items: items}
}
