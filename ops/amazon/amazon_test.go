package amazon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// Lines as the richs app writes them: Python logging with asctime, urllib3
// debug lines, requests' HTTPError in a traceback, and lines that mention
// 503 or amazon.co.jp without being a block.
const djangoLog = `2026-11-27 00:59:58,101 INFO richs_app.scraper AmazonScraper: fetching https://www.amazon.co.jp/dp/B0C5031234
2026-11-27 00:59:58,412 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0C5031234 HTTP/1.1" 200 503
2026-11-27 01:00:00,412 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0C9999999 HTTP/1.1" 503 2671
2026-11-27 01:00:00,413 ERROR richs_app.scraper AmazonScraper: request failed
Traceback (most recent call last):
  File "/var/www/richs/richs_app/scraper/amazon.py", line 88, in fetch
    resp.raise_for_status()
  File "/usr/lib/python3/dist-packages/requests/models.py", line 1021, in raise_for_status
    raise HTTPError(http_error_msg, response=self)
requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://www.amazon.co.jp/s?k=%E3%83%9D%E3%82%B1%E3%83%A2%E3%83%B3
2026-11-27 01:30:00,002 WARNING richs_app.scraper status=503 url=https://www.amazon.co.jp/dp/B0C1111111
2026-11-27 01:31:00,000 ERROR richs_app.captcha 503 Server Error: Service Unavailable for url: http://captcha.example/amazon/captcha/
2026-11-27 01:32:00,000 INFO richs_app.scraper status=200 url=https://www.amazon.co.jp/dp/B0C2222222
2026-11-27 05:00:00,000 INFO richs_app.feed UpdateAmazonFeed: 503 items updated
2026-11-27 06:00:00,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0C3333333 HTTP/1.1" 503 2671
[27/Nov/2026 06:20:00] WARNING AmazonScraper status_code=503 for https://www.amazon.co.jp/dp/B0C4444444
`

func detector(t *testing.T) *Detector {
	t.Helper()
	d, err := NewDetector(config.Default().Amazon)
	if err != nil {
		t.Fatal(err)
	}
	d.loc = time.UTC
	return d
}

func at(hh, mm int) time.Time { return time.Date(2026, 11, 27, hh, mm, 0, 0, time.UTC) }

func TestFindRealisticLines(t *testing.T) {
	d := detector(t)
	hits, undated := d.Find("django", []byte(djangoLog))
	if undated != 0 {
		t.Fatalf("undated = %d", undated)
	}
	got := map[time.Time]bool{}
	for _, h := range hits {
		got[h.Time.Truncate(time.Minute)] = true
	}
	// 01:00 urllib3 + its traceback (one record each, two records at 01:00),
	// 01:30 status=503, 06:00 urllib3, 06:20 runserver-style timestamp.
	want := []time.Time{at(1, 0), at(1, 30), at(6, 0), at(6, 20)}
	if len(hits) != 5 {
		for _, h := range hits {
			t.Logf("hit %v %s", h.Time, h.Line)
		}
		t.Fatalf("%d hits, want 5", len(hits))
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no hit at %v", w)
		}
	}
	for _, h := range hits {
		for _, no := range []string{"captcha.example", "status=200", "items updated", `200 503`, "fetching"} {
			if strings.Contains(h.Line, no) {
				t.Errorf("false positive: %s", h.Line)
			}
		}
	}
}

func TestSummarizeBlockWindow(t *testing.T) {
	d := detector(t)
	hits, _ := d.Find("django", []byte(djangoLog))
	// At 06:30 the block is on: since 06:00 (01:30 -> 06:00 is a gap of more
	// than clear_after = 3h, so the earlier block had cleared), last 06:20.
	st := d.Summarize(hits, at(6, 30))
	if !st.Since.Equal(at(6, 0)) || !st.Last.Equal(at(6, 20)) || st.Total != 5 || st.LastHour != 2 {
		t.Fatalf("status = %+v", st)
	}
	if !st.ClearFrom.Equal(at(9, 20)) || !st.ClearBy.Equal(at(12, 20)) {
		t.Fatalf("clear window %v..%v", st.ClearFrom, st.ClearBy)
	}
	if st.Latest[0].Time != at(6, 20) || st.Severity() != attention.Crit {
		t.Fatalf("latest %v severity %d", st.Latest[0].Time, st.Severity())
	}
	if st := d.Summarize(hits, at(10, 0)); st.Severity() != attention.Warn || st.LastHour != 0 {
		t.Fatalf("inside the clearing window: %+v", st)
	}
	if st := d.Summarize(hits, at(12, 21)); st.Severity() != attention.OK {
		t.Fatalf("after the window: severity %d", st.Severity())
	}
	if st := d.Summarize(nil, at(12, 0)); st.Severity() != attention.OK || !st.Since.IsZero() {
		t.Fatalf("no hits: %+v", st)
	}
}

func TestCheckReadsOnlyTheTail(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "django.log")
	// An old block far back in a big file, then a quiet tail.
	old := "2026-11-20 01:00:00,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 \"GET /dp/B0 HTTP/1.1\" 503 1\n"
	quiet := strings.Repeat("2026-11-27 01:00:00,000 INFO richs_app ok\n", MaxScan/40+10)
	if err := os.WriteFile(big, []byte(old+quiet), 0o644); err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	c.Logs = []config.Log{{Name: "django", Path: big}, {Name: "gone", Path: filepath.Join(dir, "missing.log")}}
	c.Amazon.Logs = []string{"django", "gone"}
	st, err := Check(context.Background(), host.NewRegistry(c), c, at(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 0 || !st.Cut || len(st.Errors) != 1 || len(st.Scanned) != 1 {
		t.Fatalf("status = %+v", st)
	}
	c.Amazon.BlockPatterns = []string{"("}
	if _, err := Check(context.Background(), host.NewRegistry(c), c, at(2, 0)); err == nil || !strings.Contains(err.Error(), "block_patterns[0]") {
		t.Fatalf("bad pattern: %v", err)
	}
}

// TestSummarizeTimelines: synthetic timelines of blocked answers (minutes
// after 00:00), judged at one moment. CRIT only while they keep coming; a
// quiet gap longer than clear_after starts a new block.
func TestSummarizeTimelines(t *testing.T) {
	d := detector(t) // quiet_after 1h, clear_after 3h, clear_max 6h
	m := func(min int) time.Time { return at(0, 0).Add(time.Duration(min) * time.Minute) }
	cases := []struct {
		name      string
		hits      []int
		now       int
		sev       int
		since     int // -1: none
		lastHour  int
		clearFrom int
		quiet     int
	}{
		{"no hits", nil, 60, attention.OK, -1, 0, 0, 0},
		{"coming now", []int{0, 10, 20, 30}, 31, attention.Crit, 0, 4, 210, 90},
		{"last 59 min ago", []int{0, 10}, 69, attention.Crit, 0, 1, 190, 70},
		// The case: started 70 min ago, none in the last hour.
		{"stopped 70 min ago", []int{0, 1, 2}, 72, attention.Warn, 0, 0, 182, 62},
		{"inside the clearing window", []int{0}, 200, attention.Warn, 0, 0, 180, 60},
		{"after clear_max", []int{0}, 361, attention.OK, 0, 0, 180, 60},
		// 100 -> 290 is a gap of 3h10m: the block at 290 is a new one.
		{"gap longer than clear_after", []int{90, 100, 290, 300}, 310, attention.Crit, 290, 2, 480, 360},
		// A gap of exactly clear_after is the same block.
		{"gap of clear_after", []int{0, 180}, 181, attention.Crit, 0, 1, 360, 240},
		// Hits after now do not count: at 50 the later burst has not happened.
		{"future hits ignored", []int{0, 400, 410}, 50, attention.Crit, 0, 1, 180, 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits []Hit
			for _, h := range c.hits {
				hits = append(hits, Hit{Time: m(h), Source: "django"})
			}
			st := d.Summarize(hits, m(c.now))
			if st.Severity() != c.sev || st.LastHour != c.lastHour {
				t.Fatalf("severity %d last hour %d, want %d %d: %+v", st.Severity(), st.LastHour, c.sev, c.lastHour, st)
			}
			if c.since < 0 {
				if !st.Since.IsZero() {
					t.Fatalf("since %v, want none", st.Since)
				}
				return
			}
			if !st.Since.Equal(m(c.since)) || !st.ClearFrom.Equal(m(c.clearFrom)) || !st.QuietFrom.Equal(m(c.quiet)) {
				t.Fatalf("since %v quiet %v clear %v, want %v %v %v", st.Since, st.QuietFrom, st.ClearFrom, m(c.since), m(c.quiet), m(c.clearFrom))
			}
		})
	}
}

// TestCheckRealLogTimeline: a real log file with an old block, a quiet
// gap of more than clear_after, then a new block that stopped 70 minutes
// ago: WARN, since the new block's start, never the old one's.
func TestCheckRealLogTimeline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "django.log")
	line := func(hh, mm int) string {
		// Check reads times without a zone as local ones.
		return at(hh, mm).Local().Format("2006-01-02 15:04:05") + `,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0 HTTP/1.1" 503 2671` + "\n"
	}
	log := line(10, 0) + line(10, 30) + "2026-11-27 12:00:00,000 INFO richs_app ok\n" + line(14, 0) + line(14, 5) + line(14, 10)
	if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	c.Logs = []config.Log{{Name: "django", Path: p}}
	c.Amazon.Logs = []string{"django"}
	check := func(now time.Time) Status {
		t.Helper()
		st, err := Check(context.Background(), host.NewRegistry(c), c, now)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := check(at(14, 20)); st.Severity() != attention.Crit || !st.Since.Equal(at(14, 0)) || st.LastHour != 3 {
		t.Fatalf("while coming: %+v", st)
	}
	st := check(at(15, 20))
	if st.Severity() != attention.Warn || !st.Since.Equal(at(14, 0)) || st.LastHour != 0 || !st.ClearFrom.Equal(at(17, 10)) {
		t.Fatalf("stopped 70 min ago: %+v", st)
	}
}
