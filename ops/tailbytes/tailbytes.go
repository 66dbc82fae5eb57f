// Package tailbytes reads the end of a (possibly huge) log file: the last
// max bytes, starting at a line boundary. Scanners that only care about the
// recent past (Amazon blocks, the overview's traffic window) stay fast no
// matter how big the file has grown.
package tailbytes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/richs/richsops/ops/host"
)

// Read returns the last max bytes of path on h, without the partial first
// line when the read started inside a line. One byte more than max is read
// to tell whether the window starts exactly at a line. cut is true when the file
// was longer than max (older lines were not read).
func Read(ctx context.Context, h host.Host, path string, max int64) (data []byte, cut bool, err error) {
	if h.IsLocal() {
		data, err = readLocal(path, max+1)
	} else {
		data, err = readRemote(ctx, h, path, max+1)
	}
	if cut = int64(len(data)) > max; err != nil || !cut {
		return data, false, err
	}
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
		data = data[nl+1:]
	} else {
		data = nil // one line longer than max: nothing whole to read
	}
	return data, cut, nil
}

func readLocal(path string, max int64) ([]byte, error) {
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
	off := st.Size() - max
	if off < 0 {
		off = 0
	}
	// The file may grow while we read: read what was there at Stat time.
	buf := make([]byte, st.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return buf[:n], nil
}

func readRemote(ctx context.Context, h host.Host, path string, max int64) ([]byte, error) {
	st, err := h.Stat(ctx, path)
	if err != nil {
		return nil, err
	}
	if st.Size <= max {
		return h.ReadFile(ctx, path)
	}
	res, err := h.Run(ctx, host.Cmd{Argv: []string{"tail", "-c", strconv.FormatInt(max, 10), "--", path}})
	return res.Stdout, err
}
