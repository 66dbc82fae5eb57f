package traffic

import (
	"context"
	"fmt"
	"github.com/richs/richsops/ops/host"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A small combined log whose figures are counted by hand below.
const combinedLog = `203.0.113.5 - - [27/Nov/2026:03:10:01 +0900] "GET /items?page=2 HTTP/1.1" 200 512 "-" "Mozilla/5.0"
203.0.113.5 - - [27/Nov/2026:03:10:30 +0900] "GET /items HTTP/1.1" 200 488 "-" "Mozilla/5.0"
198.51.100.7 - admin [27/Nov/2026:03:10:59 +0900] "POST /admin/login/ HTTP/1.1" 302 0 "https://richs.example/admin/" "Mozilla/5.0 (X11)"
198.51.100.7 - - [27/Nov/2026:03:11:02 +0900] "GET /static/app.js HTTP/1.1" 304 0 "-" "Mozilla/5.0"
192.0.2.44 - - [27/Nov/2026:03:12:40 +0900] "GET /items/9 HTTP/1.1" 502 166 "-" "curl/8.5.0"
192.0.2.44 - - [27/Nov/2026:03:12:41 +0900] "GET /wp-login.php HTTP/1.1" 404 153 "-" "curl/8.5.0"
this line is not an access log line

203.0.113.5 - - [27/Nov/2026:03:12:59 +0900] "\x16\x03\x01" 400 157 "-" "-"
`

func TestCombinedHandCounted(t *testing.T) {
	f, err := Compile("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := SummarizeBytes(context.Background(), []byte(combinedLog), f, Options{Top: 3, SeriesMinutes: 4})
	if err != nil {
		t.Fatal(err)
	}
	// 8 non-empty lines, 1 of them not in the format.
	if s.Lines != 8 || s.Requests != 7 || s.Invalid != 1 {
		t.Fatalf("lines/requests/invalid = %d/%d/%d, want 8/7/1", s.Lines, s.Requests, s.Invalid)
	}
	want := Classes{S2xx: 2, S3xx: 2, S4xx: 2, S5xx: 1}
	if s.Classes != want {
		t.Fatalf("classes = %+v, want %+v", s.Classes, want)
	}
	if s.Status["200"] != 2 || s.Status["302"] != 1 || s.Status["502"] != 1 || s.Status["400"] != 1 {
		t.Fatalf("status = %v", s.Status)
	}
	if s.Bytes != 512+488+166+153+157 {
		t.Fatalf("bytes = %d", s.Bytes)
	}
	jst := time.FixedZone("JST", 9*3600)
	if !s.First.Equal(time.Date(2026, 11, 27, 3, 10, 1, 0, jst)) || !s.Last.Equal(time.Date(2026, 11, 27, 3, 12, 59, 0, jst)) {
		t.Fatalf("first/last = %v %v", s.First, s.Last)
	}
	// 7 requests over 03:10:01..03:12:59 (+1 minute) = 7 / (178+60)/60.
	if got, want := s.PerMinute, 7/(238.0/60); got < want-1e-9 || got > want+1e-9 {
		t.Fatalf("per minute = %v, want %v", got, want)
	}
	if got := s.Share(4); got < 28.57 || got > 28.58 {
		t.Fatalf("4xx share = %v, want 2/7", got)
	}
	// /items twice (query string dropped), then the rest by name.
	if s.TopPaths[0] != (Count{"/items", 2}) || len(s.TopPaths) != 3 {
		t.Fatalf("top paths = %v", s.TopPaths)
	}
	if s.TopClient[0] != (Count{"203.0.113.5", 3}) || s.TopClient[1] != (Count{"192.0.2.44", 2}) {
		t.Fatalf("top clients = %v", s.TopClient)
	}
	// Minutes 03:09..03:12 JST: 0, 3, 1, 3 requests; one 5xx at 03:12.
	var got []int64
	for _, m := range s.Series {
		got = append(got, m.Requests, m.S5xx)
	}
	if fmt.Sprint(got) != "[0 0 3 0 1 0 3 1]" {
		t.Fatalf("series = %v", got)
	}
	if share, n := s.Recent5xx(s.Last.Add(-30 * time.Second)); n != 3 || share < 33.3 || share > 33.4 {
		t.Fatalf("recent 5xx = %v of %d", share, n)
	}
	if s.HasRequestTime || len(s.Slowest) != 0 {
		t.Fatalf("combined has no request time: %+v", s.Slowest)
	}
}

// A custom format as on the box: ISO time, request time, upstream time.
const customFormat = `$remote_addr [$time_iso8601] "$request_method $request_uri" $status $body_bytes_sent rt=$request_time urt=$upstream_response_time "$http_user_agent"`

const customLog = `10.0.0.1 [2026-11-27T03:10:01+09:00] "GET /api/items?x=1" 200 100 rt=0.120 urt=0.118 "ua"
10.0.0.2 [2026-11-27T03:10:02+09:00] "GET /api/search" 200 900 rt=2.504 urt=2.500 "ua"
10.0.0.2 [2026-11-27T03:10:03+09:00] "POST /api/upload" 500 20 rt=10.001 urt=10.000 "ua"
10.0.0.3 [2026-11-27T03:11:04+09:00] "GET /" 301 0 rt=0.000 urt=- "ua"
10.0.0.3 [2026-11-27T03:11:05+09:00] "GET /api/items" 200 100 rt=- urt=- "ua"
`

func TestCustomFormatHandCounted(t *testing.T) {
	f, err := Compile(customFormat)
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasRequestTime() {
		t.Fatal("format has $request_time")
	}
	s, err := SummarizeBytes(context.Background(), []byte(customLog), f, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 5 || s.Invalid != 0 || s.Classes.S2xx != 3 || s.Classes.S3xx != 1 || s.Classes.S5xx != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if len(s.Slowest) != 2 || s.Slowest[0].Path != "/api/upload" || s.Slowest[0].Seconds != 10.001 ||
		s.Slowest[1].Path != "/api/search" || s.Slowest[1].Seconds != 2.504 || s.Slowest[0].Method != "POST" {
		t.Fatalf("slowest = %+v", s.Slowest)
	}
	if s.TopPaths[0] != (Count{"/api/items", 2}) {
		t.Fatalf("top paths = %v", s.TopPaths)
	}
	if s.Slowest[0].Time.Unix() != time.Date(2026, 11, 27, 3, 10, 3, 0, time.FixedZone("", 9*3600)).Unix() {
		t.Fatalf("slowest time = %v", s.Slowest[0].Time)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, bad := range []string{
		`$remote_addr$status "$request"`, // two variables touching
		`no variables`,
		`$remote_addr "$request"`, // no status
		`$remote_addr $status`,    // no request
	} {
		if _, err := Compile(bad); err == nil {
			t.Errorf("Compile(%q) accepted", bad)
		}
	}
}

// The parallel file reader must give the same figures as one reader, for
// any cut of the file.
func TestFileMatchesStream(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 8*blockSize+blockSize/2; i++ {
		b.WriteString(combinedLog)
	}
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := Compile("combined")
	one, err := SummarizeBytes(context.Background(), []byte(b.String()), f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 2, 3} {
		par, err := SummarizeFile(context.Background(), host.NewLocal(), path, f, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if par.Requests != one.Requests || par.Invalid != one.Invalid || par.Classes != one.Classes || par.Bytes != one.Bytes ||
			par.TopPaths[0] != one.TopPaths[0] || par.PerMinute != one.PerMinute {
			t.Fatalf("workers=%d: %+v\nwant %+v", w, par, one)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, l := range strings.Split(combinedLog+customLog, "\n") {
		f.Add(l)
	}
	combined, _ := Compile("")
	custom, _ := Compile(customFormat)
	f.Fuzz(func(t *testing.T, line string) {
		for _, fm := range []*Format{combined, custom} {
			tl := newTally(fm, 3)
			tl.line([]byte(line))
			var rec record
			if fm.parse([]byte(line), &rec) && (rec.status < 0 || rec.status > 999) {
				t.Fatalf("status %d from %q", rec.status, line)
			}
			s := tl.summary(Options{}.withDefaults())
			if s.Requests+s.Invalid != s.Lines {
				t.Fatalf("counts do not add up for %q: %+v", line, s)
			}
		}
	})
}

// Any log_format either fails to compile or parses any line without
// panicking.
func FuzzCompileAndParse(f *testing.F) {
	f.Add(Combined, `1.2.3.4 - - [27/Nov/2026:03:10:01 +0900] "GET / HTTP/1.1" 200 5 "-" "ua"`)
	f.Add(customFormat, strings.Split(customLog, "\n")[0])
	f.Add(`${remote_addr}|$status|$request|$msec`, `1.2.3.4|200|GET / HTTP/1.0|1764180601.123`)
	f.Fuzz(func(t *testing.T, format, line string) {
		fm, err := Compile(format)
		if err != nil {
			return
		}
		tl := newTally(fm, 2)
		tl.line([]byte(line))
		tl.line([]byte(line)) // the clock's minute cache
		_ = tl.summary(Options{}.withDefaults())
	})
}
