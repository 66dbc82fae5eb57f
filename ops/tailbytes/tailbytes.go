// Package tailbytes reads the end of a (possibly huge) log file on any
// host: the last max bytes (Host.ReadTail), starting at a line boundary.
// Scanners that only care about the recent past (Amazon blocks, the
// overview's traffic window) stay fast no matter how big the file has
// grown. It stays apart from logtail, which cuts lines for display and
// follows a file: the scanners need whole raw bytes and none of that.
package tailbytes

import (
	"bytes"
	"context"

	"github.com/richs/richsops/ops/host"
)

// Read returns the last max bytes of path on h, without the partial first
// line when the read started inside a line. One byte more than max is read
// to tell whether the window starts exactly at a line. cut is true when the file
// was longer than max (older lines were not read).
func Read(ctx context.Context, h host.Host, path string, max int64) (data []byte, cut bool, err error) {
	data, err = h.ReadTail(ctx, path, max+1)
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
