package logtail

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const blockSize = 64 * 1024

// lastRegion returns the bytes of the last n lines of f[0:end], reading
// backwards in blocks, and the offset where they start. The cost depends on
// n and the line lengths, not on the file size. A line longer than maxLine
// stops the scan after n*(maxLine+1) bytes.
func lastRegion(f io.ReaderAt, end int64, n, maxLine int) ([]byte, int64, error) {
	if n <= 0 || end <= 0 {
		return nil, end, nil
	}
	limit := int64(n) * int64(maxLine+1)
	var blocks [][]byte // newest first
	pos, seen := end, 0
	skipLast := true // a newline at end-1 ends the last line, it does not start one
	start := int64(0)
scan:
	for pos > 0 && end-pos < limit {
		size := int64(blockSize)
		if pos < size {
			size = pos
		}
		b := make([]byte, size)
		if _, err := f.ReadAt(b, pos-size); err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		pos -= size
		blocks = append(blocks, b)
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' {
				continue
			}
			if skipLast && pos+int64(i) == end-1 {
				continue
			}
			seen++
			if seen == n {
				start = pos + int64(i) + 1
				break scan
			}
		}
		skipLast = false
		if pos == 0 {
			start = 0
		} else {
			start = pos
		}
	}
	if end-start > limit {
		start = end - limit
	}
	data := make([]byte, 0, end-start)
	for i := len(blocks) - 1; i >= 0; i-- {
		data = append(data, blocks[i]...)
	}
	// The blocks cover [pos, end); keep [start, end).
	return data[start-pos:], start, nil
}

// Last returns the last n lines of the file at path (a final line without
// newline included), sanitized and capped.
func Last(path string, n, maxLine int) ([]Line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	sp := newSplitter(maxLine)
	data, _, err := lastRegion(f, fi.Size(), n, sp.max)
	if err != nil {
		return nil, err
	}
	return sp.flush(sp.feed(data, nil)), nil
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
	f, err := os.Open(o.Path)
	if err != nil {
		return nil, o, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, o, err
	}
	if o.File != nil && !os.SameFile(fi, o.File) {
		return nil, o, ErrRotated
	}
	sp := newSplitter(maxLine)
	data, start, err := lastRegion(f, o.Offset, n, sp.max)
	if err != nil {
		return nil, o, err
	}
	o.Offset = start
	return sp.flush(sp.feed(data, nil)), o, nil
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
