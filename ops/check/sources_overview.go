package check

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/hold"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/public"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/traffic"
)

// The Overview's own sources (it also draws their gauges and panels, so it
// reads them itself; ui/overview.OwnSources) as headless checks.
const (
	SrcHost   = "host"
	SrcAmazon = "amazon"
	SrcPublic = "public"
	SrcNginx  = "nginx"
)

// TrafficWindow is how much of the end of the access log the nginx check
// reads: the recent part is all it judges.
const TrafficWindow = 16 << 20

func init() {
	register(Collector{Name: SrcHost, Timeout: 15 * time.Second, Run: Host})
	register(Collector{Name: SrcAmazon, Timeout: 30 * time.Second, Run: Amazon})
	register(Collector{Name: SrcPublic, Timeout: 2 * time.Minute, Run: Public})
	register(Collector{Name: SrcNginx, Timeout: 30 * time.Second, Run: Nginx})
}

// Host: disks, load and memory of this machine against [thresholds], and a
// recent reboot (cron runs may have been skipped).
func Host(ctx context.Context, cfg *config.Config, _ *host.Registry) attention.Report {
	s, err := sysinfo.Collect(ctx, time.Now())
	if err != nil {
		return report(SrcHost, []attention.Item{couldNotRun(SrcHost, err.Error())})
	}
	return report(SrcHost, s.Attention(cfg.Thresholds, cfg.T))
}

// Amazon: 503s from Amazon in the app logs (a rate block).
func Amazon(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	now := time.Now()
	st, err := amazon.Check(ctx, hosts, cfg, now)
	if err != nil {
		return report(SrcAmazon, []attention.Item{couldNotRun(SrcAmazon, err.Error())})
	}
	// A crontab that cannot be read is the jobs source's to report; the
	// block is judged without the hold's phrase then.
	hs, _ := HoldOf(ctx, cfg, hosts, cfg.Host, st, now)
	items := AmazonItems(st, hs.Describe(cfg.T), cfg.T)
	for _, e := range st.Errors {
		items = append(items, couldNotRun(SrcAmazon, e))
	}
	return report(SrcAmazon, items)
}

// HoldOf is the Amazon hold on the jobs' host, with the block st already
// read; the past holds come from the history database when there is one.
func HoldOf(ctx context.Context, cfg *config.Config, hosts *host.Registry, hostName string, st amazon.Status, now time.Time) (hold.State, error) {
	h, err := hosts.Get(hostName)
	if err != nil {
		return hold.State{}, err
	}
	events, _ := hold.Events(ctx, cfg, nil, now) // without them, the configured window
	return hold.ReadWith(ctx, cfg, h, st, events, now)
}

// AmazonItems is the Amazon block's attention item: acted on in Jobs,
// where the bulk searches are paused. held is the hold's phrase
// (hold.State.Describe; "" = off): the item says it, and a hold that
// outlasts the block's warning is an item of its own.
func AmazonItems(st amazon.Status, held string, t func(en, ja string) string) []attention.Item {
	var it attention.Item
	switch sev := st.Severity(); sev {
	case attention.Crit:
		it = attention.Item{Severity: sev, Source: SrcAmazon, Key: "enter", Area: attention.AreaJobs,
			Text: fmt.Sprintf(t("Amazon blocks (503) since %s, %d in 1h: stop bulk searches",
				"Amazon ブロック中（503）%s から、1時間に %d 件: 一括検索を停止"), Clock(st.Since, st.Now), st.LastHour)}
	case attention.Warn:
		it = attention.Item{Severity: sev, Source: SrcAmazon, Key: "enter", Area: attention.AreaJobs,
			Text: fmt.Sprintf(t("Amazon block probably clearing: none since %s, clears %s – %s; no bulk searches until then",
				"Amazon ブロック解除待ち: %s 以降なし、解除見込み %s – %s。それまで一括検索は控える"),
				Clock(st.Last, st.Now), Clock(st.ClearFrom, st.Now), Clock(st.ClearBy, st.Now))}
	default:
		if held == "" {
			return nil
		}
		return []attention.Item{{Severity: attention.Warn, Source: SrcAmazon, Key: "enter", Area: attention.AreaJobs, Text: t("Amazon hold: ", "Amazon 保留: ") + held}}
	}
	if held != "" {
		it.Text += t("; ", "。") + held
	}
	return []attention.Item{it}
}

// Public: the public tmp folder above public.tmp_warn_gib.
func Public(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	h, err := hosts.Get(host.LocalName)
	if err != nil {
		return report(SrcPublic, []attention.Item{couldNotRun(SrcPublic, err.Error())})
	}
	return report(SrcPublic, public.Attention(public.Scan(ctx, h, cfg.Public, time.Now()), cfg.Public, cfg.T))
}

// Nginx: the 5xx share of the last 15 minutes of the access log.
func Nginx(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	l, f, err := traffic.LogOf(cfg)
	if err != nil {
		return report(SrcNginx, []attention.Item{couldNotRun(SrcNginx, err.Error())})
	}
	h, err := hosts.Get(l.Host)
	if err != nil {
		return report(SrcNginx, []attention.Item{couldNotRun(SrcNginx, err.Error())})
	}
	s, err := traffic.SummarizeHost(ctx, h, l.Path, f, traffic.Options{Top: 1, SeriesMinutes: 60}, TrafficWindow)
	if err != nil {
		return report(SrcNginx, []attention.Item{couldNotRun(SrcNginx, err.Error())})
	}
	return report(SrcNginx, NginxItems(&s, cfg.Thresholds, time.Now(), cfg.T))
}

// NginxItems: the 5xx share of the last 15 minutes before now (by the
// clock, so a quiet log's old errors do not count) above
// thresholds.nginx_5xx_percent, critical at three times it. Too few
// requests to judge give nothing.
func NginxItems(s *traffic.Summary, th config.Thresholds, now time.Time, t func(en, ja string) string) []attention.Item {
	share, n := s.Recent5xx(now.Add(-15 * time.Minute))
	if th.Nginx5xxPercent <= 0 || n < 20 {
		return nil
	}
	sev := attention.Level(share, th.Nginx5xxPercent, 3*th.Nginx5xxPercent)
	if sev == attention.OK {
		return nil
	}
	return []attention.Item{{Severity: sev, Source: SrcNginx, Key: "l", Area: attention.AreaLogs,
		Text: fmt.Sprintf(t("nginx 5xx %.1f%% (last 15 min, %d requests)",
			"nginx の 5xx %.1f%%（直近15分、%d 件）"), share, n)}}
}

// Clock is 15:04 for today, 11-27 15:04 otherwise, "-" for none.
func Clock(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("01-02 15:04")
}
