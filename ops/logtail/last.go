package logtail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

const blockSize = 64 * 1024

// lastRegion returns the bytes of the last n lines of f[0:end], and the
// offset where they start (see regionStart), read at once into a buffer of
// their size: the cost depends on n and the line lengths, not on the file
// size. firstCut says the region starts inside an over-long line (that line
// is shown cut, with its end).
func lastRegion(f io.ReaderAt, end int64, n, maxLine int) (data []byte, start int64, firstCut bool, err error) {
	if start, firstCut, err = regionStart(f, end, n, maxLine, make([]byte, min(blockSize, end))); err != nil {
		return nil, 0, false, err
	}
	data = make([]byte, end-start)
	k, err := f.ReadAt(data, start)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, false, err
	}
	return data[:k], start, firstCut, nil // short only when the file shrank meanwhile
}

// regionStart is where the last n lines of f[0:end] start. It counts
// newlines backwards from end in blocks read into buf (bytes.Count, then an
// exact search only in the block where the count is reached). A line
// longer than maxLine stops the scan after n*(maxLine+1) bytes; then the
// region starts inside that line and firstCut is true.
func regionStart(f io.ReaderAt, end int64, n, maxLine int, buf []byte) (start int64, firstCut bool, err error) {
	if n <= 0 || end <= 0 {
		return end, false, nil
	}
	limit := int64(n) * int64(maxLine+1)
	if start, err = lastLinesStart(f, end, n, limit, buf); err != nil {
		return 0, false, err
	}
	if start > 0 && start == end-limit {
		var before [1]byte
		if _, err := f.ReadAt(before[:], start-1); err != nil {
			return 0, false, err
		}
		firstCut = before[0] != '\n'
	}
	return start, firstCut, nil
}

// lastLinesStart is the offset where the last n lines of f[0:end] start,
// no further back than end-limit.
func lastLinesStart(f io.ReaderAt, end int64, n int, limit int64, buf []byte) (int64, error) {
	pos, seen := end, 0
	for pos > 0 && end-pos < limit {
		b := buf[:min(int64(len(buf)), pos)]
		if _, err := f.ReadAt(b, pos-int64(len(b))); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		pos -= int64(len(b))
		if pos+int64(len(b)) == end && b[len(b)-1] == '\n' {
			b = b[:len(b)-1] // the newline at end-1 ends the last line, it does not start one
		}
		c := bytes.Count(b, newline)
		if seen+c < n {
			seen += c
			continue
		}
		// The line starts after the (c-(n-seen)+1)th newline of b from its
		// front: found with the vectorised IndexByte, not a backward loop.
		at := -1
		for skip := c - (n - seen); skip >= 0; skip-- {
			at += 1 + bytes.IndexByte(b[at+1:], '\n')
		}
		return max(pos+int64(at)+1, end-limit), nil
	}
	return max(pos, end-limit), nil
}

var newline = []byte{'\n'}

// EmitLast hands sink the last n lines of the file at path, and what is
// appended while they are read. It streams them through one small buffer,
// as GNU tail does, with the follower's own reading: complete lines that
// need no escaping or cutting go to a RawSink as read, the rest as Lines.
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
	if t.off, t.sp.cut, err = regionStart(f, fi.Size(), n, t.sp.max, fl.buf); err != nil {
		return err
	}
	if err := fl.readToEOF(t); err != nil {
		return err
	}
	if lines := t.sp.flush(nil); len(lines) > 0 { // a last line without newline
		return sink.Emit(Batch{Lines: lines})
	}
	return nil
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

// splitOwned splits data, which the caller hands over (nothing writes to it
// again), into capped, sanitized lines that share its memory: no copy.
// firstCut marks the first line as cut (the region starts inside it).
func splitOwned(data []byte, maxLine int, firstCut bool) []Line {
	sp := newSplitter(maxLine)
	sp.cut = firstCut
	return sp.flush(sp.feedString(unsafe.String(unsafe.SliceData(data), len(data)), nil))
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
	maxLine = newSplitter(maxLine).max
	data, start, firstCut, err := lastRegion(f, o.Offset, n, maxLine)
	if err != nil {
		return nil, o, err
	}
	o.Offset = start
	return splitOwned(data, maxLine, firstCut), o, nil
}

// Resolve turns a configured path that may be a glob into one file: the
// newest match by modification time. A plain path is returned as is (it may
// not exist yet: Follow waits for it).
func Resolve(pattern string) (string, error) {
	if !hasMeta(pattern) {
		return pattern, nil
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return "", err
	}
	best, bestTime := "", int64(0)
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil || fi.IsDir() {
			continue
		}
		if t := fi.ModTime().UnixNano(); best == "" || t > bestTime {
			best, bestTime = m, t
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s: no file matches", pattern)
	}
	return best, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
