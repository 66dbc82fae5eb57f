//go:build linux

package backup

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// growPipe asks for a 1 MiB pipe buffer; the default 64 KiB makes the dump
// and the compressor take turns far too often. Best effort.
func growPipe(f *os.File) { _, _ = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, 1<<20) }

// hideFile unlinks f and returns the /proc path the dump opens it by while
// we hold it open; without /proc the file stays until the cleanup.
func hideFile(f *os.File) (string, func(), error) {
	path := fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())
	if _, err := os.Stat(path); err != nil {
		return f.Name(), func() { f.Close(); os.Remove(f.Name()) }, nil
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return "", nil, err
	}
	return path, func() { f.Close() }, nil
}

// renameNoReplace renames old to new unless new exists (EEXIST then).
func renameNoReplace(old, new string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, unix.RENAME_NOREPLACE); err != nil {
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: err}
	}
	return nil
}
