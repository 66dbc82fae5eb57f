package host

import (
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a whole small file of richsops' own on this
// machine (a state file, a backup's metadata): a temp file in the same
// folder, fsync, mode, rename, so a reader sees the old file or the new
// one, never a part. The temp file is removed on any failure. Files richsops
// edits for the operator go through Edit instead (lock, backup, compare).
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
