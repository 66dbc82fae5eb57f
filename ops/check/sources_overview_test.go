package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/traffic"
)

// sourcesConfig points the Overview's sources at real files in a temp
// folder: an access log with 10 of 30 recent requests 5xx, an app log
// with Amazon 503s a minute ago, and a public tmp with a file in it.
func sourcesConfig(t *testing.T) *config.Config {
	dir := t.TempDir()
	now := time.Now()
	var access, app strings.Builder
	for i := range 30 {
		status := 200
		if i%3 == 0 {
			status = 502
		}
		ts := now.Add(-2 * time.Minute).Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&access, "192.0.2.1 - - [%s] \"GET /items HTTP/1.1\" %d 512 \"-\" \"Mozilla/5.0\"\n", ts, status)
	}
	for i := range 3 {
		ts := now.Add(-time.Minute).Add(time.Duration(i) * time.Second).Format("2006-01-02 15:04:05,000")
		fmt.Fprintf(&app, "%s DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 \"GET /dp/B0C999999%d HTTP/1.1\" 503 2671\n", ts, i)
	}
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(access.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "django.log"), []byte(app.String()), 0o644)
	for _, f := range []string{"images", "output", "tmp"} {
		os.MkdirAll(filepath.Join(dir, "public", f), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "public", "tmp", "upload.csv"), make([]byte, 4096), 0o644)
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.Logs = []config.Log{
		{Name: "django", Path: filepath.Join(dir, "django.log"), Kind: "django"},
		{Name: "nginx-access", Path: filepath.Join(dir, "access.log"), Kind: "nginx-access"},
	}
	cfg.Amazon.Logs = []string{"django"}
	cfg.Public.Dir = filepath.Join(dir, "public")
	cfg.Public.TmpWarnGiB = 1.0 / (1 << 30) // one byte
	cfg.Thresholds.DiskWarnPercent = 0.0001 // every disk
	cfg.Thresholds.MemoryPercent = 0.0001
	return cfg
}

func TestOverviewSources(t *testing.T) {
	cfg := sourcesConfig(t)
	cs, err := Select([]string{SrcHost, SrcAmazon, SrcPublic, SrcNginx}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), cfg, host.NewRegistry(cfg), cs)
	want := []struct {
		sev  int
		text string
		key  string
		area attention.Area
	}{
		{attention.Warn, "memory", "", ""},
		{attention.Crit, "Amazon blocks (503) since", "enter", attention.AreaJobs},
		{attention.Warn, "public tmp holds 4.0 KiB in 1 files", "C", ""},
		{attention.Crit, "nginx 5xx 33.3% (last 15 min, 30 requests)", "l", attention.AreaLogs},
	}
	for i, w := range want {
		r := res[i]
		var found bool
		for _, it := range r.Items {
			if it.Severity == Unknown {
				t.Errorf("%s could not run: %s", r.Source, it.Text)
			}
			found = found || (it.Severity == w.sev && strings.Contains(it.Text, w.text) && it.Key == w.key && it.Area == w.area)
		}
		if !found {
			t.Errorf("%s: no %s %q in %+v", r.Source, SeverityName(w.sev), w.text, r.Items)
		}
	}
}

// TestNginxItemWindow: the attention item names its window, in both
// languages (the traffic panel's share is over the whole log).
func TestNginxItemWindow(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 30, 0, 0, time.UTC)
	s := &traffic.Summary{Series: []traffic.Minute{{Time: now.Add(-5 * time.Minute), Requests: 40, S5xx: 10}}}
	th := config.Default().Thresholds
	for lang, want := range map[string]string{"en": "nginx 5xx 25.0% (last 15 min, 40 requests)", "ja": "nginx の 5xx 25.0%（直近15分、40 件）"} {
		cfg := config.Default()
		cfg.Lang = lang
		items := NginxItems(s, th, now, cfg.T)
		if len(items) != 1 || items[0].Text != want {
			t.Errorf("%s: %+v, want %q", lang, items, want)
		}
	}
}
