//go:build linux

package backup

import (
	"os"

	"golang.org/x/sys/unix"
)

// growPipe asks for a 1 MiB pipe buffer; the default 64 KiB makes the dump
// and the compressor take turns far too often. Best effort.
func growPipe(f *os.File) { _, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20) }
