package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// File is a regular file opened for reads at any offset, of the size it
// had when opened: what a parallel scan of a big log needs on any host.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

// Open opens the regular file path (a final symlink is followed).
func (*Local) Open(_ context.Context, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	return localFile{f, st.Size()}, nil
}

// sizeScript prints the size of the regular file $1 (through a final symlink).
const sizeScript = helperPrelude + `if [ -d "$p" ]; then exit 5; fi
if [ ! -f "$p" ]; then echo "$p: not a regular file" >&2; exit 1; fi
exec stat -L -c %s -- "$p"`

// rangeScript prints $3 bytes of $1 from offset $2 (tail seeks in a
// regular file: no read of what comes before).
const rangeScript = helperPrelude + `tail -c +"$(($2 + 1))" -- "$p" | head -c "$3"`

// sshFile reads a remote file one range per round trip.
type sshFile struct {
	s    *SSH
	ctx  context.Context
	path string
	size int64
}

// Open stats the remote file; each ReadAt is one round trip.
func (s *SSH) Open(ctx context.Context, path string) (File, error) {
	res, err := s.script(ctx, "open", path, sizeScript, []string{path}, nil)
	if err != nil {
		return nil, err
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(res.Stdout)), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("host %s: size of %s: %q", s.name, path, res.Stdout)
	}
	return &sshFile{s: s, ctx: ctx, path: path, size: size}, nil
}

func (f *sshFile) Size() int64  { return f.size }
func (f *sshFile) Close() error { return nil }

// ReadAt reads within the size the file had when opened.
func (f *sshFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), f.size-off)
	res, err := f.s.script(f.ctx, "read", f.path, rangeScript,
		[]string{f.path, strconv.FormatInt(off, 10), strconv.FormatInt(want, 10)}, nil)
	if err != nil {
		return 0, err
	}
	n := copy(p, res.Stdout)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
