package logsview

import (
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// GoldenTab is the tab on fixed logs for the golden screens
// (golden_test.go), which run it inside the App: deps in lang with a
// frozen clock, and either the picker of the configured logs or two panes
// (the Django log and nginx's access log) filled with fixed lines. Nothing
// is read: the panes get their lines as the followers would hand them.
func GoldenTab(lang string, panes bool) (*common.Deps, common.Tab) {
	d := uitest.GoldenDeps(config.Default(), lang)
	m := New(d).(*Model)
	m.visited = true // the screens are of what the operator chose, not of the files of this machine
	if !panes {
		return d, m
	}
	m.picker = false
	logs := []struct {
		src   source
		lines []string
	}{
		{source{Name: "django", Path: "/home/richs/app/logs/django.log", Kind: "django"}, []string{
			"2026-11-27 10:14:02,118 INFO richs.jobs check_item_mercari: 1200 items checked",
			"2026-11-27 10:14:09,774 WARNING urllib3.connectionpool Retrying (Retry(total=2)) after connection broken",
			"2026-11-27 10:14:31,003 ERROR richs.amazon https://www.amazon.co.jp:443 \"GET /dp/B0C1 HTTP/1.1\" 503 2671",
			"2026-11-27 10:14:58,411 DEBUG django.db.backends (0.002) SELECT 1; args=()",
			"2026-11-27 10:15:00,000 INFO richs.jobs 商品 34 件の価格を更新しました",
		}},
		{source{Name: "nginx-access", Path: "/var/log/nginx/access.log", Kind: "nginx-access"}, []string{
			`192.0.2.10 - - [27/Nov/2026:10:14:58 +0000] "GET /items/1 HTTP/1.1" 200 5120 "-" "Mozilla/5.0"`,
			`192.0.2.11 - - [27/Nov/2026:10:14:59 +0000] "GET /items/2 HTTP/1.1" 502 157 "-" "Mozilla/5.0"`,
			`192.0.2.12 - - [27/Nov/2026:10:15:00 +0000] "POST /api/check HTTP/1.1" 404 12 "-" "curl/8.5.0"`,
		}},
	}
	for id, l := range logs {
		p := newPane(id, l.src, 10000)
		batch := make([]logtail.Line, len(l.lines))
		for i, s := range l.lines {
			batch[i] = logtail.Line{Text: s}
		}
		p.ingest(logtail.Batch{Lines: batch})
		m.panes = append(m.panes, p)
	}
	return d, m
}
