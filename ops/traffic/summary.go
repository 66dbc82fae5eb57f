package traffic

import (
	"fmt"
	"sort"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
)

// Count is one row of a top list.
type Count struct {
	Key  string `json:"key"`
	Hits int64  `json:"hits"`
}

// Request is one logged request (the slowest list).
type Request struct {
	Time    time.Time `json:"time"`
	Client  string    `json:"client"`
	Method  string    `json:"method"`
	Path    string    `json:"path"`
	Status  int       `json:"status"`
	Seconds float64   `json:"seconds"`
}

// Minute is one point of the per-minute series.
type Minute struct {
	Time     time.Time `json:"time"`
	Requests int64     `json:"requests"`
	S5xx     int64     `json:"s5xx"`
}

// Classes counts answers by the first digit of their status.
type Classes struct {
	S1xx  int64 `json:"1xx"`
	S2xx  int64 `json:"2xx"`
	S3xx  int64 `json:"3xx"`
	S4xx  int64 `json:"4xx"`
	S5xx  int64 `json:"5xx"`
	Other int64 `json:"other"`
}

// Summary is what the overview and `richsops traffic` show.
type Summary struct {
	File     string `json:"file,omitempty"`
	Format   string `json:"format"`
	Lines    int64  `json:"lines"`    // non-empty lines read
	Requests int64  `json:"requests"` // lines of the format's shape
	Invalid  int64  `json:"invalid"`  // lines that were not
	// Partial: only the tail of the file was read (the overview's window).
	Partial   bool             `json:"partial,omitempty"`
	Bytes     int64            `json:"bytes_sent"`
	First     time.Time        `json:"first"`
	Last      time.Time        `json:"last"`
	PerMinute float64          `json:"per_minute"` // mean over First..Last
	Classes   Classes          `json:"classes"`
	Status    map[string]int64 `json:"status"`
	TopPaths  []Count          `json:"top_paths"`
	TopClient []Count          `json:"top_clients"`
	// Slowest is empty when the format has no $request_time.
	Slowest        []Request `json:"slowest,omitempty"`
	HasRequestTime bool      `json:"has_request_time"`
	// Series is requests and 5xx per minute over the last SeriesMinutes
	// minutes of the log (ending at Last).
	Series []Minute `json:"series"`
}

// Share is the part of the requests in a class (2 for 2xx ... 5 for 5xx), 0..100.
func (s *Summary) Share(class int) float64 {
	if s.Requests == 0 {
		return 0
	}
	var n int64
	switch class {
	case 1:
		n = s.Classes.S1xx
	case 2:
		n = s.Classes.S2xx
	case 3:
		n = s.Classes.S3xx
	case 4:
		n = s.Classes.S4xx
	case 5:
		n = s.Classes.S5xx
	}
	return float64(n) * 100 / float64(s.Requests)
}

// ShareWindow names what Share counts, to label its figures: the whole
// log, or its last window bytes when only the tail was read. The attention
// list judges the last minutes instead (Recent5xx), so the two 5xx figures
// differ and each must say over what.
func (s *Summary) ShareWindow(t func(en, ja string) string, window int64) string {
	if s.Partial {
		return fmt.Sprintf(config.Tr(t, "last %s of the log", "ログ末尾 %s"), human.Bytes(window))
	}
	return config.Tr(t, "whole log", "ログ全体")
}

// Recent5xx is the 5xx share (0..100) and the request count of the
// minutes of the series from since on: what the attention list judges, so
// an old burst of errors in the file does not raise an alarm forever.
func (s *Summary) Recent5xx(since time.Time) (share float64, requests int64) {
	var e int64
	for _, m := range s.Series {
		if m.Time.Before(since.Truncate(time.Minute)) {
			continue
		}
		requests += m.Requests
		e += m.S5xx
	}
	if requests == 0 {
		return 0, 0
	}
	return float64(e) * 100 / float64(requests), requests
}

// Options tune a summary.
type Options struct {
	Top           int // rows of the top lists (default 10)
	SeriesMinutes int // length of the per-minute series (default 60)
	Workers       int // parallel parsers for a file (default: number of CPUs, at most 8)
}

func (o Options) withDefaults() Options {
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.SeriesMinutes <= 0 {
		o.SeriesMinutes = 60
	}
	return o
}

// minuteCount is the per-minute tally of one worker.
type minuteCount struct{ req, s5xx int64 }

// tally accumulates the lines one worker parsed.
type tally struct {
	f          *Format
	top        int
	lines, bad int64
	codes      [1000]int64
	bytes      int64
	first      int64
	last       int64
	dated      bool
	minutes    map[int64]*minuteCount
	curMin     int64
	cur        *minuteCount
	paths      map[string]*int64
	clients    map[string]*int64
	slow       []Request // ascending by Seconds, at most top
	clk        clock
	rec        record
}

func newTally(f *Format, top int) *tally {
	return &tally{
		f: f, top: top,
		minutes: make(map[int64]*minuteCount),
		paths:   make(map[string]*int64),
		clients: make(map[string]*int64),
		curMin:  -1 << 62,
	}
}

// bump counts key in m without allocating when the key is known.
func bump(m map[string]*int64, key []byte) {
	if p, ok := m[string(key)]; ok {
		*p++
		return
	}
	n := int64(1)
	m[string(key)] = &n
}

// line adds one line (without its newline).
func (t *tally) line(l []byte) {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	if len(l) == 0 {
		return
	}
	t.lines++
	r := &t.rec
	if !t.f.parse(l, r) {
		t.bad++
		return
	}
	t.codes[r.status]++
	t.bytes += r.bytes
	path := r.path
	for i, c := range path {
		if c == '?' {
			path = path[:i]
			break
		}
	}
	bump(t.paths, path)
	bump(t.clients, r.client)
	ts, dated := t.clk.unix(r.timeKind, r.timeText)
	if dated {
		if !t.dated || ts < t.first {
			t.first = ts
		}
		if !t.dated || ts > t.last {
			t.last = ts
		}
		t.dated = true
		if m := ts / 60; m != t.curMin {
			t.curMin = m
			t.cur = t.minutes[m]
			if t.cur == nil {
				t.cur = &minuteCount{}
				t.minutes[m] = t.cur
			}
		}
		t.cur.req++
		if r.status >= 500 && r.status < 600 {
			t.cur.s5xx++
		}
	}
	if r.reqTime >= 0 && (len(t.slow) < t.top || r.reqTime > t.slow[0].Seconds) {
		var when time.Time
		if dated {
			when = time.Unix(ts, 0)
		}
		t.addSlow(Request{
			Time: when, Client: sanitize.String(string(r.client)), Method: sanitize.String(string(r.method)),
			Path: sanitize.String(string(r.path)), Status: r.status, Seconds: r.reqTime,
		})
	}
}

func (t *tally) addSlow(q Request) {
	if len(t.slow) >= t.top {
		t.slow = t.slow[1:]
	}
	i := sort.Search(len(t.slow), func(i int) bool { return t.slow[i].Seconds >= q.Seconds })
	t.slow = append(t.slow, Request{})
	copy(t.slow[i+1:], t.slow[i:])
	t.slow[i] = q
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	t.lines += o.lines
	t.bad += o.bad
	for i, n := range o.codes {
		t.codes[i] += n
	}
	t.bytes += o.bytes
	if o.dated {
		if !t.dated || o.first < t.first {
			t.first = o.first
		}
		if !t.dated || o.last > t.last {
			t.last = o.last
		}
		t.dated = true
	}
	for m, c := range o.minutes {
		if mine := t.minutes[m]; mine != nil {
			mine.req += c.req
			mine.s5xx += c.s5xx
		} else {
			t.minutes[m] = c
		}
	}
	for k, p := range o.paths {
		if mine := t.paths[k]; mine != nil {
			*mine += *p
		} else {
			t.paths[k] = p
		}
	}
	for k, p := range o.clients {
		if mine := t.clients[k]; mine != nil {
			*mine += *p
		} else {
			t.clients[k] = p
		}
	}
	for _, q := range o.slow {
		if len(t.slow) < t.top || q.Seconds > t.slow[0].Seconds {
			t.addSlow(q)
		}
	}
}

func topN(m map[string]*int64, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, p := range m {
		out = append(out, Count{Key: k, Hits: *p})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Hits != out[j].Hits {
			return out[i].Hits > out[j].Hits
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > n {
		out = out[:n]
	}
	for i := range out {
		out[i].Key = sanitize.String(out[i].Key) // log text is attacker input
	}
	return out
}

// summary turns the tally into the figures shown.
func (t *tally) summary(o Options) Summary {
	s := Summary{
		Format: t.f.Source, Lines: t.lines, Invalid: t.bad, Requests: t.lines - t.bad,
		Bytes: t.bytes, Status: map[string]int64{}, HasRequestTime: t.f.HasRequestTime(),
		TopPaths: topN(t.paths, o.Top), TopClient: topN(t.clients, o.Top),
	}
	for code, n := range t.codes {
		if n == 0 {
			continue
		}
		s.Status[itoa3(code)] = n
		switch code / 100 {
		case 1:
			s.Classes.S1xx += n
		case 2:
			s.Classes.S2xx += n
		case 3:
			s.Classes.S3xx += n
		case 4:
			s.Classes.S4xx += n
		case 5:
			s.Classes.S5xx += n
		default:
			s.Classes.Other += n
		}
	}
	for i := len(t.slow) - 1; i >= 0; i-- {
		s.Slowest = append(s.Slowest, t.slow[i])
	}
	if t.dated {
		s.First, s.Last = time.Unix(t.first, 0), time.Unix(t.last, 0)
		span := float64(t.last-t.first+60) / 60 // a log of one minute is one minute long
		s.PerMinute = float64(s.Requests) / span
		end := t.last / 60
		for m := end - int64(o.SeriesMinutes) + 1; m <= end; m++ {
			p := Minute{Time: time.Unix(m*60, 0)}
			if c := t.minutes[m]; c != nil {
				p.Requests, p.S5xx = c.req, c.s5xx
			}
			s.Series = append(s.Series, p)
		}
	}
	return s
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
