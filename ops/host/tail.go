package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// ReadTail returns the last max bytes of the regular file path (all of
// it when shorter), as it was when the read began: a log that grows
// meanwhile is not chased.
func (*Local) ReadTail(_ context.Context, path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	off := max0(st.Size() - max)
	buf := make([]byte, st.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return buf[:n], nil
}

func max0(n int64) int64 {
	if n < 0 {
		return 0
	}
	return n
}

// readTailScript prints the last $2 bytes of the regular file $1.
const readTailScript = helperPrelude + `if [ -d "$p" ]; then exit 5; fi
if [ ! -f "$p" ]; then echo "$p: not a regular file" >&2; exit 1; fi
exec tail -c "$2" -- "$p"`

// ReadTail is tail -c on the host, in one round trip.
func (s *SSH) ReadTail(ctx context.Context, path string, max int64) ([]byte, error) {
	res, err := s.script(ctx, "tail", path, readTailScript, []string{path, strconv.FormatInt(max, 10)}, nil)
	return res.Stdout, err
}

// Glob lists the files matching pattern (filepath.Match syntax).
func (*Local) Glob(_ context.Context, pattern string) ([]string, error) {
	return filepath.Glob(pattern)
}

// globScript expands $1 as a pattern in the remote shell (no field
// splitting: IFS is empty) and prints each existing match, NUL-terminated.
const globScript = `IFS=
for f in $1; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done`

// Glob expands pattern on the host; a pattern without wildcards lists
// itself when it exists.
func (s *SSH) Glob(ctx context.Context, pattern string) ([]string, error) {
	res, err := s.script(ctx, "glob", pattern, globScript, []string{pattern}, nil)
	if err != nil {
		return nil, err
	}
	return splitNUL0(res.Stdout), nil
}

// splitNUL0 splits NUL-terminated names; nil for none.
func splitNUL0(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return splitNUL(b)
}

// TailArgv is GNU tail printing path's last lines and, with follow, what
// is appended; -F follows rotation itself.
func TailArgv(path string, lines int, follow bool) []string {
	argv := []string{"tail", "-n", strconv.Itoa(lines)}
	if follow {
		argv = append(argv, "-F")
	}
	return append(argv, "--", path)
}

// TailCommand is nil: a local file is followed by descriptor.
func (*Local) TailCommand(string, int, bool) []string { return nil }

// TailCommand is GNU tail on the remote host.
func (*SSH) TailCommand(path string, lines int, follow bool) []string {
	return TailArgv(path, lines, follow)
}
