package brake

import (
	"bytes"
	"context"
	"regexp"
	"time"

	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// backRead bounds how much of a log is read back when a run is first seen
// (it may have started before the watch service did) and per poll.
const backRead = 8 << 20

// counter follows one run's log through its host: it reads what was
// appended since the last poll and keeps the stamps of the lines matching
// the pattern, stamped at or after the run's start (the log may be shared
// with another job, whose earlier lines are not this run's).
type counter struct {
	path  string
	re    *regexp.Regexp
	start time.Time // the run's start, to the second (stamps have whole seconds)

	offset int64 // -1 until the first read
	in     bool  // the last stamped line was in the run: its unstamped continuation goes with it
	total  int
	hits   []time.Time // stamps of the matches still inside the window
}

func newCounter(path string, re *regexp.Regexp, start time.Time) *counter {
	return &counter{path: path, re: re, start: start.Truncate(time.Second), offset: -1}
}

// read takes in what was appended since the last read. A log shorter than
// the offset was truncated or rotated: it is read from its start.
func (c *counter) read(ctx context.Context, h host.Host) error {
	f, err := h.Open(ctx, c.path)
	if err != nil {
		return err
	}
	defer f.Close()
	size := f.Size()
	if c.offset < 0 || size < c.offset || size-c.offset > backRead {
		// The first read, or more than a poll's worth: the last backRead
		// bytes from a line's start; the stamps say which are the run's.
		c.offset = max(0, size-backRead)
		if c.offset > 0 {
			c.offset = lineStart(ctx, f, c.offset)
		}
	}
	if size <= c.offset {
		return nil
	}
	buf := make([]byte, size-c.offset)
	n, err := f.ReadAt(buf, c.offset)
	if n == 0 && err != nil {
		return err
	}
	buf = buf[:n]
	// Only complete lines: a line being written is read whole next time.
	end := bytes.LastIndexByte(buf, '\n')
	if end < 0 {
		return nil
	}
	c.offset += int64(end + 1)
	c.lines(buf[:end])
	return nil
}

// lineStart is the offset just after the first newline at or after off.
func lineStart(ctx context.Context, f host.File, off int64) int64 {
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1
		}
		if n == 0 || err != nil {
			break
		}
		off += int64(n)
	}
	return off
}

// lines counts the matches among complete lines.
func (c *counter) lines(data []byte) {
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		t, ok := jobs.LineStamp(line)
		if ok {
			c.in = !t.Before(c.start)
		}
		if !c.in || !c.re.Match(line) {
			continue
		}
		if !ok && len(c.hits) > 0 {
			t = c.hits[len(c.hits)-1]
		} else if !ok {
			t = c.start
		}
		c.total++
		c.hits = append(c.hits, t)
	}
}

// inWindow is the number of matches stamped in the window ending at now
// (whole seconds, as the stamps), dropping the older ones.
func (c *counter) inWindow(now time.Time, window time.Duration) int {
	from := now.Truncate(time.Second).Add(-window)
	i := 0
	for i < len(c.hits) && !c.hits[i].After(from) {
		i++
	}
	c.hits = c.hits[i:]
	return len(c.hits)
}
