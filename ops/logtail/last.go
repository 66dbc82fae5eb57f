package logtail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/richs/richsops/ops/host"
)

const blockSize = 64 * 1024

// ScanLimit bounds the backward scan for the last lines: however long the
// lines are, no more than this is read to find them. Past it the lines found
// are shown and a Short says how many.
const ScanLimit = 256 << 20

// scanLimit is ScanLimit; tests lower it.
var scanLimit int64 = ScanLimit

// Short says the backward scan reached ScanLimit before it found all the
// lines asked for.
type Short struct {
	Found, Wanted int
}

// regionStart is where the last n lines of f[0:end] start, and how many
// lines the region holds (fewer than n when the file has fewer, or when the
// scan reached scanLimit: short). It counts newlines backwards from end in
// blocks read into buf (bytes.Count, then an exact search only in the block
// where the count is reached). A line that the limit cuts is left out: its
// start, the timestamp, is not known.
func regionStart(f io.ReaderAt, end int64, n int, buf []byte) (start int64, found int, short bool, err error) {
	if n <= 0 || end <= 0 {
		return end, 0, false, nil
	}
	lo := max(0, end-scanLimit)
	pos, seen, first := end, 0, int64(-1) // first: the earliest newline seen
	for pos > lo {
		b := buf[:min(int64(len(buf)), pos-lo)]
		if _, err := f.ReadAt(b, pos-int64(len(b))); err != nil && !errors.Is(err, io.EOF) {
			return 0, 0, false, err
		}
		pos -= int64(len(b))
		if pos+int64(len(b)) == end && b[len(b)-1] == '\n' {
			b = b[:len(b)-1] // the newline at end-1 ends the last line, it does not start one
		}
		c := bytes.Count(b, newline)
		if seen+c < n {
			if c > 0 {
				first = pos + int64(bytes.IndexByte(b, '\n'))
			}
			seen += c
			continue
		}
		// The line starts after the (c-(n-seen)+1)th newline of b from its
		// front: found with the vectorised IndexByte, not a backward loop.
		at := -1
		for skip := c - (n - seen); skip >= 0; skip-- {
			at += 1 + bytes.IndexByte(b[at+1:], '\n')
		}
		return pos + int64(at) + 1, n, false, nil
	}
	if lo == 0 {
		return 0, seen + 1, false, nil
	}
	var before [1]byte
	if _, err := f.ReadAt(before[:], lo-1); err != nil {
		return 0, 0, false, err
	}
	switch {
	case before[0] == '\n': // the window starts exactly at a line
		return lo, seen + 1, true, nil
	case first < 0: // the last line alone is longer than the limit
		return end, 0, true, nil
	}
	return first + 1, seen, true, nil
}

// readRegion feeds f[start:end] through t's splitter in reads of len(buf),
// appending the complete lines to out: the memory is that of the lines,
// capped, not of the region (which may hold lines of many megabytes).
func readRegion(t *tailed, start, end int64, buf []byte, out []Line) ([]Line, error) {
	for off := start; off < end; {
		b := buf[:min(int64(len(buf)), end-off)]
		k, err := t.f.ReadAt(b, off)
		if k > 0 {
			out = t.sp.feed(b[:k], out)
			t.remember(b[:k])
			off += int64(k)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break // the file shrank meanwhile
			}
			return out, err
		}
	}
	return out, nil
}

var newline = []byte{'\n'}

// EmitLast hands sink the last n lines of the file at path, and what is
// appended while they are read. It streams them through one small buffer,
// as GNU tail does, with the follower's own reading: complete lines that
// need no escaping or cutting go to a RawSink as read, the rest as Lines.
// A last line without newline goes to a PartialSink as it is (GNU tail's
// output), to any other sink as a Line. When the scan stops at ScanLimit,
// a Batch with Short comes first.
// A one-shot `richsops tail -n` touches little memory (on a VM every new
// page is a fault of over a microsecond).
func EmitLast(path string, n, maxLine int, sink Sink) error {
	f, fi, err := openStat(path)
	if err != nil {
		return err
	}
	defer f.Close()
	t := &tailed{f: f, fi: fi, sp: newSplitter(maxLine)}
	fl := &follower{sink: sink, buf: make([]byte, emitBufSize)}
	found, short := 0, false
	if t.off, found, short, err = regionStart(f, fi.Size(), n, fl.buf); err != nil {
		return err
	}
	if short {
		if err := sink.Emit(Batch{Short: &Short{Found: found, Wanted: n}}); err != nil {
			return err
		}
	}
	if err := fl.readToEOF(t); err != nil {
		return err
	}
	lines, err := finalLine(t.sp, sink)
	if err != nil || len(lines) == 0 {
		return err
	}
	return sink.Emit(Batch{Lines: lines})
}

// finalLine ends a stream that will not finish its last line: a PartialSink
// gets what it was not shown yet, as it is (GNU tail adds no newline); any
// other sink the line as a Line, returned.
func finalLine(sp *splitter, sink Sink) ([]Line, error) {
	ps, ok := sink.(PartialSink)
	if !ok {
		return sp.flush(nil), nil
	}
	text, cut := sp.fragment(true), sp.cut
	if cut {
		text += CutMark
	}
	sp.partial, sp.cut, sp.shown, sp.shownText = sp.partial[:0], false, 0, 0
	if text == "" {
		return nil, nil
	}
	return nil, ps.EmitPartial(text)
}

// emitBufSize is EmitLast's buffer, for the backward scan and the copy out.
const emitBufSize = 32 << 10

// openStat opens path and takes its FileInfo from the open file (so both
// describe the same file even if the path is replaced in between).
func openStat(path string) (*os.File, os.FileInfo, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// Origin is where a pane's earliest line starts: the file (its identity, so
// a rotated file is not confused with the new one) and the byte offset.
type Origin struct {
	Path   string
	File   os.FileInfo
	Offset int64
}

// ErrRotated is returned by Before when the file at the path is no longer
// the one the lines came from.
var ErrRotated = errors.New("the file was rotated since it was opened; earlier lines are in the rotated file")

// ErrTooLong is returned by Before when the line before the origin is
// longer than ScanLimit: its start is not looked for.
var ErrTooLong = fmt.Errorf("the line before these is longer than %d MiB: earlier lines are not loaded", ScanLimit>>20)

// Before returns up to n lines that end where o starts, and the origin of
// the earliest of them: "load more" when scrolling up past the first line.
func Before(o Origin, n, maxLine int) ([]Line, Origin, error) {
	if o.Offset <= 0 {
		return nil, o, nil
	}
	f, fi, err := openStat(o.Path)
	if err != nil {
		return nil, o, err
	}
	defer f.Close()
	if o.File != nil && !os.SameFile(fi, o.File) {
		return nil, o, ErrRotated
	}
	buf := make([]byte, emitBufSize)
	start, found, short, err := regionStart(f, o.Offset, n, buf)
	if err != nil {
		return nil, o, err
	}
	if short && found == 0 {
		return nil, o, ErrTooLong
	}
	t := &tailed{f: f, fi: fi, sp: newSplitter(maxLine)}
	lines, err := readRegion(t, start, o.Offset, buf, nil)
	if err != nil {
		return nil, o, err
	}
	o.Offset = start
	return t.sp.flush(lines), o, nil
}

// Resolve turns a configured path that may be a glob into one file on h:
// the newest match by modification time. A plain path is returned as is (it
// may not exist yet: Follow waits for it).
func Resolve(ctx context.Context, h host.Host, pattern string) (string, error) {
	if !hasMeta(pattern) {
		return pattern, nil
	}
	matches, err := h.Glob(ctx, pattern)
	if err != nil {
		return "", err
	}
	best, bestTime := "", int64(0)
	for _, m := range matches {
		fi, err := h.Stat(ctx, m)
		if err != nil || fi.IsDir {
			continue
		}
		if t := fi.ModTime.UnixNano(); best == "" || t > bestTime {
			best, bestTime = m, t
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s: no file matches", pattern)
	}
	return best, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
