package overview

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/hold"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/traffic"
	"github.com/richs/richsops/ui/common"
)

// amazonItems and nginxItems are ops/check's, so that `richsops check`
// judges exactly as the attention list does.
func amazonItems(d *common.Deps, st amazon.Status, hs hold.State) []attention.Item {
	return check.AmazonItems(st, hs.Describe(d.T), d.T)
}

func nginxItems(d *common.Deps, s *traffic.Summary) []attention.Item {
	return check.NginxItems(s, d.Cfg.Thresholds, d.Now(), d.T)
}

func clock(t, now time.Time) string { return check.Clock(t, now) }

// View draws the page and shows the part that fits, from the scroll line.
func (m *Model) View() string {
	lines := m.lines()
	h := max(1, m.height)
	start := min(m.scroll, max(0, len(lines)-h))
	end := min(len(lines), start+h)
	out := make([]string, 0, h)
	for _, l := range lines[start:end] {
		out = append(out, common.Cut(l, m.width))
	}
	return strings.Join(out, "\n")
}

func (m *Model) lines() []string {
	var l []string
	l = append(l, m.attentionLines()...)
	l = append(l, "")
	l = append(l, m.hostLines()...)
	l = append(l, "")
	l = append(l, m.amazonLines()...)
	l = append(l, "")
	l = append(l, m.publicLines()...)
	l = append(l, "")
	l = append(l, m.trafficLines()...)
	return l
}

func (m *Model) title(en, ja, src string) string {
	s := m.d.Styles.Title.Render(m.d.T(en, ja))
	if e, ok := m.errs[src]; ok {
		s += "  " + m.d.Styles.Crit.Render(e)
	} else if _, ok := m.seen[src]; !ok {
		s += "  " + m.d.Styles.Muted.Render(m.d.T("reading…", "読み込み中…"))
	}
	return s
}

func (m *Model) attentionLines() []string {
	st := m.d.Styles
	items := m.items()
	head := st.Title.Render(m.d.T("Attention", "要対応"))
	if len(items) == 0 {
		return []string{head, "  " + st.OK.Render("✓ "+m.d.T("nothing needs attention", "対応が必要なものはありません"))}
	}
	srcW := 4
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		src := m.d.Word(it.Source, sourceJa)
		srcW = max(srcW, common.Width(src))
		k := m.hint(it)
		if k != "" {
			k = st.Key.Render("[" + k + "]")
		}
		rows = append(rows, []string{st.Level(it.Severity).Render(m.severityWord(it.Severity)), st.Muted.Render(src), sanitize.String(it.Text), k})
	}
	m.tbl.Columns = []common.Column{
		{Title: m.d.T("LVL", "重要度"), Width: 4},
		{Title: m.d.T("FROM", "発生元"), Width: min(srcW, 12)},
		{Title: m.d.T("WHAT", "内容"), Width: 10, Flex: true},
		{Title: m.d.T("KEY", "キー"), Width: 7},
	}
	// The page scrolls as a whole: the list shows every item.
	return append([]string{fmt.Sprintf("%s (%d)", head, len(items))}, m.tbl.Lines(st, rows, m.sel, m.width, len(rows)+1)...)
}

func (m *Model) hostLines() []string {
	st, t, s := m.d.Styles, m.d.T, m.snap
	out := []string{m.title("Host", "ホスト", srcHost)}
	if s.Time.IsZero() {
		return out
	}
	th := m.d.Cfg.Thresholds
	out = append(out, fmt.Sprintf("  %s %.2f %.2f %.2f / %d CPU   %s %s (%s %s)",
		t("load", "負荷"), s.Load1, s.Load5, s.Load15, s.CPUs, t("up", "稼働"), human.DurationT(t, s.Uptime),
		t("boot", "起動"), s.Boot.Local().Format("2006-01-02 15:04")))
	gw := 20
	row := func(label string, pct float64, sev int, detail, key string, hi float64) string {
		g := gauge(pct, gw, st.Level(sev), st.GaugeEmpty)
		head := fmt.Sprintf("  %s %s %5.1f%%  %s ", common.Pad(label, 10), g, pct, common.Pad(detail, 16))
		// The sparkline takes what the line has left at the width of now
		// (a resize shortens it), at most an hour's worth of 60 cells.
		spark := max(0, min(60, m.width-common.Width(head)))
		return head + st.Info.Render(common.Sparkline(m.hist.Values(key), spark, hi))
	}
	cpuSev := 0
	if s.CPUs > 0 {
		cpuSev = attention.Level(s.Load5/float64(s.CPUs), th.LoadPerCPU, 0)
	}
	out = append(out,
		row("CPU", s.CPUPercent, cpuSev, "", sysinfo.KeyCPU, 100),
		row(t("memory", "メモリ"), s.MemPercent, attention.Level(s.MemPercent, th.MemoryPercent, 0),
			human.Bytes(int64(s.MemUsed))+"/"+human.Bytes(int64(s.MemTotal)), sysinfo.KeyMem, 100),
		row(t("swap", "スワップ"), s.SwapPercent, 0, human.Bytes(int64(s.SwapUsed))+"/"+human.Bytes(int64(s.SwapTotal)), sysinfo.KeySwap, 100))
	for _, d := range s.Disks {
		label := d.Mount
		if lipgloss.Width(label) > 10 {
			label = "…" + label[len(label)-9:]
		}
		out = append(out, row(label, d.Percent, attention.Level(d.Percent, th.DiskWarnPercent, th.DiskCritPercent),
			human.Bytes(int64(d.Free))+" "+t("free", "空き"), sysinfo.DiskKey(d.Mount), 100))
	}
	return out
}

func (m *Model) amazonLines() []string {
	st, t, a := m.d.Styles, m.d.T, m.amz
	out := []string{m.title("Amazon block", "Amazon ブロック", srcAmazon)}
	if a.Now.IsZero() {
		return out
	}
	now := a.Now
	switch a.Severity() {
	case attention.Crit:
		out = append(out,
			"  "+st.Crit.Render(fmt.Sprintf(t("BLOCKED since %s (%s)", "ブロック中 %s から（%s）"), clock(a.Since, now), human.DurationT(t, now.Sub(a.Since))))+
				fmt.Sprintf(t("  %d blocked in the last hour, last at %s", "  直近1時間 %d 件、最後 %s"), a.LastHour, clock(a.Last, now)),
			fmt.Sprintf(t("  usually clears in %s – %s (%s – %s)", "  解除見込み あと %s – %s（%s – %s）"),
				human.DurationT(t, a.ClearFrom.Sub(now)), human.DurationT(t, a.ClearBy.Sub(now)), clock(a.ClearFrom, now), clock(a.ClearBy, now)),
			"  "+st.Warn.Render(t("Stop bulk searches until then: every request keeps the block on.",
				"それまで一括検索を止めてください。リクエストのたびにブロックが延びます。")))
	case attention.Warn:
		out = append(out,
			"  "+st.Warn.Render(fmt.Sprintf(t("probably clearing: no blocked request since %s (%s ago; block from %s)",
				"解除待ち: %s 以降ブロックなし（%s前、ブロック開始 %s）"), clock(a.Last, now), human.DurationT(t, now.Sub(a.Last)), clock(a.Since, now))),
			fmt.Sprintf(t("  usually clears %s – %s (at the latest in %s)", "  解除見込み %s – %s（遅くとも あと %s）"),
				clock(a.ClearFrom, now), clock(a.ClearBy, now), human.DurationT(t, a.ClearBy.Sub(now))),
			"  "+t("Keep bulk searches off until then.", "それまで一括検索は控えてください。"))
	default:
		line := t("no block: no 503 from Amazon in the recent logs", "ブロックなし: 最近のログに Amazon の 503 はありません")
		if !a.Last.IsZero() {
			line = fmt.Sprintf(t("no block: the last 503 from Amazon was %s (cleared)", "ブロックなし: 最後の 503 は %s（解除済み）"), clock(a.Last, now))
		}
		out = append(out, "  "+st.OK.Render(line))
	}
	if held := m.hold.Describe(t); held != "" {
		out = append(out, "  "+st.Warn.Render(held))
	}
	for _, h := range a.Latest[:min(len(a.Latest), 2)] {
		out = append(out, "  "+st.Muted.Render(h.Source+": "+h.Line))
	}
	for _, e := range a.Errors {
		out = append(out, "  "+st.Muted.Render(t("not read: ", "読めない: ")+e))
	}
	return out
}

func (m *Model) publicLines() []string {
	st, t := m.d.Styles, m.d.T
	c := m.d.Cfg.Public
	out := []string{m.title("Public files", "公開ファイル", srcPublic) + "  " + st.Muted.Render(c.Dir) + "  " +
		st.Key.Render(m.d.Keys().Overview.Clean.Help().Key) + st.Muted.Render(fmt.Sprintf(t(" clean tmp older than %s", " tmp の %sより古いファイルを削除"), human.DurationT(t, c.TmpMaxAge.Duration)))}
	for _, f := range m.folders {
		if f.Err != "" {
			out = append(out, fmt.Sprintf("  %-8s %s", f.Name, st.Warn.Render(sanitize.String(f.Err))))
			continue
		}
		out = append(out, fmt.Sprintf("  %-8s %10s %8d %s   +%s/24h  +%s/7d", f.Name, human.Bytes(f.Size), f.Files,
			t("files", "件"), human.Bytes(f.Added24h), human.Bytes(f.Added7d)))
	}
	return out
}

func (m *Model) trafficLines() []string {
	st, t, s := m.d.Styles, m.d.T, &m.traf
	out := []string{m.title("nginx traffic", "nginx アクセス", srcNginx) + "  " + st.Key.Render("l") + st.Muted.Render(t(" open the log", " ログを開く"))}
	if s.Format == "" {
		return out
	}
	now := m.d.Now()
	window := ""
	if s.Partial {
		window = fmt.Sprintf(t(" (last %s of it)", "（末尾 %s）"), human.Bytes(TrafficWindow))
	}
	out = append(out, fmt.Sprintf(t("  %s%s: %d requests, last at %s", "  %s%s: %d 件、最終 %s"), filepath.Base(s.File), window, s.Requests,
		clock(s.Last, now)))
	var recent, recent5 int64
	for _, p := range s.Series[max(0, len(s.Series)-5):] {
		recent += p.Requests
		recent5 += p.S5xx
	}
	// The shares get their own line: with their window named they no
	// longer fit beside the rate at 80 columns.
	out = append(out, fmt.Sprintf("  %s %.1f", t("req/min (last 5 min)", "件/分（直近5分）"), float64(recent)/5))
	out = append(out, fmt.Sprintf("  2xx %.1f%%  3xx %.1f%%  4xx %.1f%%  %s", s.Share(2), s.Share(3), s.Share(4),
		st.Level(attention.Level(s.Share(5), m.d.Cfg.Thresholds.Nginx5xxPercent, 3*m.d.Cfg.Thresholds.Nginx5xxPercent)).Render(fmt.Sprintf("5xx %.1f%%", s.Share(5)))+
			st.Muted.Render(fmt.Sprintf(t(" (%s)", "（%s）"), s.ShareWindow(t, TrafficWindow)))))
	var req, e5 []float64
	for _, p := range s.Series {
		req = append(req, float64(p.Requests))
		e5 = append(e5, float64(p.S5xx))
	}
	w := max(10, min(60, m.width-16))
	out = append(out,
		fmt.Sprintf("  %s %s", common.Pad(t("req/min", "件/分"), 12), st.Info.Render(common.Sparkline(req, w, 0))),
		fmt.Sprintf("  %s %s", common.Pad(t("5xx/min", "5xx/分"), 12), st.Crit.Render(common.Sparkline(e5, w, 0))))
	half := (m.width - 4) / 2
	col := func(c traffic.Count) string {
		return common.Cut(fmt.Sprintf("%7d %s", c.Hits, c.Key), half-1)
	}
	out = append(out, "  "+st.Header.Render(common.Pad(t("top paths", "上位パス"), half)+t("top clients", "上位クライアント")))
	for i := 0; i < 5 && (i < len(s.TopPaths) || i < len(s.TopClient)); i++ {
		var a, b string
		if i < len(s.TopPaths) {
			a = col(s.TopPaths[i])
		}
		if i < len(s.TopClient) {
			b = col(s.TopClient[i])
		}
		out = append(out, "  "+common.Pad(a, half)+b)
	}
	if s.HasRequestTime && len(s.Slowest) > 0 {
		out = append(out, "  "+st.Header.Render(t("slowest", "遅いリクエスト")))
		for _, q := range s.Slowest[:min(3, len(s.Slowest))] {
			out = append(out, fmt.Sprintf("  %7.3fs %d %s %s  %s", q.Seconds, q.Status, q.Method, q.Path, st.Muted.Render(q.Client)))
		}
	}
	return out
}

// severityWord is an attention item's level, 4 cells wide in both languages.
func (m *Model) severityWord(sev int) string {
	switch min(max(sev, attention.OK), attention.Crit) {
	case attention.OK:
		return m.d.T("OK  ", "正常")
	case attention.Warn:
		return m.d.T("WARN", "警告")
	}
	return m.d.T("CRIT", "重大")
}

// sourceJa names who reported an attention item; amazon, nginx and
// index-linux are names and stay as they are.
var sourceJa = map[string]string{
	check.SrcHost:     "ホスト",
	check.SrcPublic:   "公開ファイル",
	check.SrcJobs:     "ジョブ",
	check.SrcServices: "サービス",
	check.SrcProbes:   "死活確認",
	check.SrcDB:       "DB",
	check.SrcForecast: "予測",
}
