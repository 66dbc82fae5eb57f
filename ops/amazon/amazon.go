// Package amazon detects Amazon's rate block in the application logs: the
// AmazonScraper's requests to amazon.co.jp get HTTP 503 when sent too often,
// and the block clears 3 to 6 hours after the traffic stops. It finds the
// blocked requests (configurable regular expressions), says since when and
// how many in the last hour, and when the block should clear. The block is
// on (CRIT) while blocked answers keep coming; once none came for
// amazon.quiet_after it is clearing (WARN) until clear_max after the last.
//
// Only the tail of each log is read (MaxScan bytes), so a check costs the
// same whether the log is 10 MiB or 10 GiB.
package amazon

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/tailbytes"
)

// MaxScan is how much of the end of each log is read.
const MaxScan = 8 << 20

// keepHits is how many of the latest blocked lines Status keeps for display.
const keepHits = 5

// Hit is one blocked request found in a log.
type Hit struct {
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	Line   string    `json:"line"` // control bytes removed, cut to 300 bytes
}

// Detector finds blocked requests in log text.
type Detector struct {
	patterns   []*regexp.Regexp
	quietAfter time.Duration
	clearAfter time.Duration
	clearMax   time.Duration
	loc        *time.Location
}

// NewDetector compiles the configured patterns. A bad pattern is an error
// naming it.
func NewDetector(c config.Amazon) (*Detector, error) {
	d := &Detector{quietAfter: c.QuietAfter.Duration, clearAfter: c.ClearAfter.Duration, clearMax: c.ClearMax.Duration, loc: time.Local}
	if d.clearMax < d.clearAfter {
		d.clearMax = d.clearAfter
	}
	for i, p := range c.BlockPatterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("amazon.block_patterns[%d] %q: %w", i, p, err)
		}
		d.patterns = append(d.patterns, re)
	}
	return d, nil
}

// Find returns the blocked requests in data (a log's text), one per log
// record: a traceback that repeats the error under its log line counts once,
// at the time of the line that starts the record.
func (d *Detector) Find(source string, data []byte) (hits []Hit, undated int) {
	seen := map[int]bool{}
	for _, re := range d.patterns {
		for _, m := range re.FindAllIndex(data, -1) {
			start := bytes.LastIndexByte(data[:m[0]], '\n') + 1
			end := bytes.IndexByte(data[m[0]:], '\n')
			if end < 0 {
				end = len(data)
			} else {
				end += m[0]
			}
			recStart, ts, ok := d.recordTime(data, start)
			if seen[recStart] {
				continue
			}
			seen[recStart] = true
			if !ok {
				undated++
				continue
			}
			hits = append(hits, Hit{Time: ts, Source: source, Line: sanitize.Cap(string(data[start:end]), 300)})
		}
	}
	return hits, undated
}

// recordTime finds the timestamp of the record holding the line at start:
// that line's own, or the nearest earlier line's (a traceback's lines have
// none). It looks back at most 200 lines.
func (d *Detector) recordTime(data []byte, start int) (int, time.Time, bool) {
	for range 200 {
		end := bytes.IndexByte(data[start:], '\n')
		line := data[start:]
		if end >= 0 {
			line = line[:end]
		}
		if t, ok := lineTime(line, d.loc); ok {
			return start, t, true
		}
		if start == 0 {
			break
		}
		start = bytes.LastIndexByte(data[:start-1], '\n') + 1
	}
	return start, time.Time{}, false
}

// lineTime reads the timestamp near the start of a log line: Python
// logging's "2026-11-27 03:10:01,234", ISO "2026-11-27T03:10:01", or
// Django runserver's "[27/Nov/2026 03:10:01]". Times without a zone are in loc.
func lineTime(line []byte, loc *time.Location) (time.Time, bool) {
	n := min(len(line), 48)
	for i := 0; i+19 <= n; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			continue
		}
		s := line[i:]
		if shape(s, "dddd-dd-dd?dd:dd:dd") && (s[10] == ' ' || s[10] == 'T') {
			t, err := time.ParseInLocation("2006-01-02 15:04:05", string(s[:10])+" "+string(s[11:19]), loc)
			return t, err == nil
		}
		if len(s) >= 20 && shape(s, "dd/???/dddd?dd:dd:dd") && (s[11] == ' ' || s[11] == ':') {
			t, err := time.ParseInLocation("02/Jan/2006 15:04:05", string(s[:11])+" "+string(s[12:20]), loc)
			return t, err == nil
		}
	}
	return time.Time{}, false
}

// shape matches s against a pattern of d (digit), ? (any byte) and literals.
func shape(s []byte, pattern string) bool {
	if len(s) < len(pattern) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		switch p := pattern[i]; p {
		case 'd':
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		case '?':
		default:
			if s[i] != p {
				return false
			}
		}
	}
	return true
}

// Status is what the overview and the attention list show.
type Status struct {
	Now      time.Time `json:"now"`
	Total    int       `json:"total"`     // blocked requests in the scanned tails
	LastHour int       `json:"last_hour"` // of them, in the hour before Now
	Undated  int       `json:"undated"`   // matches whose time could not be read
	// Since is the first blocked request of the current block: the latest
	// run of blocked requests with no gap longer than clear_after.
	Since time.Time `json:"since"`
	Last  time.Time `json:"last"`
	// QuietFrom is Last + amazon.quiet_after: from then on no blocked
	// answers are coming, and the block is clearing rather than on.
	QuietFrom time.Time `json:"quiet_from"`
	// ClearFrom..ClearBy is the usual clearing window after the last
	// blocked request (amazon.clear_after .. clear_max).
	ClearFrom time.Time `json:"clear_from"`
	ClearBy   time.Time `json:"clear_by"`
	Latest    []Hit     `json:"latest"` // newest first
	Scanned   []string  `json:"scanned"`
	Errors    []string  `json:"errors,omitempty"`
	// Cut is true when a log was longer than the scanned tail, so Since
	// may be later than the real start of the block.
	Cut bool `json:"cut"`
}

// Summarize turns hits into a Status at now. Hits after now (a clock
// ahead of this one) do not count for the block, so that a status at now
// is the same whatever the log holds later.
func (d *Detector) Summarize(hits []Hit, now time.Time) Status {
	st := Status{Now: now, Total: len(hits)}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Time.Before(hits[j].Time) })
	hits = hits[:sort.Search(len(hits), func(i int) bool { return hits[i].Time.After(now) })]
	for _, h := range hits {
		if h.Time.After(now.Add(-time.Hour)) {
			st.LastHour++
		}
	}
	if len(hits) == 0 {
		return st
	}
	last := len(hits) - 1
	st.Last = hits[last].Time
	first := last
	for first > 0 && hits[first].Time.Sub(hits[first-1].Time) <= d.clearAfter {
		first--
	}
	st.Since = hits[first].Time
	st.QuietFrom = st.Last.Add(d.quietAfter)
	st.ClearFrom, st.ClearBy = st.Last.Add(d.clearAfter), st.Last.Add(d.clearMax)
	for i := last; i >= 0 && len(st.Latest) < keepHits; i-- {
		st.Latest = append(st.Latest, hits[i])
	}
	return st
}

// Severity: Crit while blocked answers keep coming (the last one less
// than quiet_after ago), Warn once they stopped, until clear_max after the
// last one ("probably clearing"), OK after that or with no block.
func (s Status) Severity() int {
	switch {
	case s.Last.IsZero() || !s.Now.Before(s.ClearBy):
		return attention.OK
	case s.Now.Before(s.QuietFrom):
		return attention.Crit
	}
	return attention.Warn
}

// Source is one log scanned for blocks.
type Source struct {
	Name, Path, Host string
}

// Sources are the [[logs]] entries named in amazon.logs.
func Sources(c *config.Config) ([]Source, error) {
	var out []Source
	for _, name := range c.Amazon.Logs {
		found := false
		for _, l := range c.Logs {
			if l.Name == name {
				out = append(out, Source{Name: l.Name, Path: l.Path, Host: l.Host})
				found = true
			}
		}
		if !found {
			return out, fmt.Errorf("amazon.logs: %q names no [[logs]] entry", name)
		}
	}
	return out, nil
}

// Check scans the tail of every source and summarises at now. A log that
// cannot be read is listed in Status.Errors; the others still count.
func Check(ctx context.Context, hosts *host.Registry, c *config.Config, now time.Time) (Status, error) {
	d, err := NewDetector(c.Amazon)
	if err != nil {
		return Status{}, err
	}
	srcs, srcErr := Sources(c)
	var hits []Hit
	var errs []string
	if srcErr != nil {
		errs = append(errs, srcErr.Error())
	}
	var scanned []string
	undated, cut := 0, false
	for _, s := range srcs {
		h, err := hosts.Get(s.Host)
		if err != nil {
			errs = append(errs, s.Name+": "+err.Error())
			continue
		}
		paths := []string{s.Path}
		if strings.ContainsAny(s.Path, "*?[") {
			paths, _ = h.Glob(ctx, s.Path)
		}
		for _, p := range paths {
			data, wasCut, err := tailbytes.Read(ctx, h, p, MaxScan)
			if err != nil {
				errs = append(errs, s.Name+": "+err.Error())
				continue
			}
			found, u := d.Find(s.Name, data)
			hits = append(hits, found...)
			undated += u
			cut = cut || wasCut
			scanned = append(scanned, p)
		}
	}
	st := d.Summarize(hits, now)
	st.Undated, st.Cut, st.Scanned, st.Errors = undated, cut, scanned, errs
	return st, nil
}
