//go:build !linux

package backup

import "os"

func growPipe(*os.File) {}

func hideFile(f *os.File) (string, func(), error) {
	return f.Name(), func() { f.Close(); os.Remove(f.Name()) }, nil
}

// renameNoReplace: a hard link fails when new exists; then old goes.
func renameNoReplace(old, new string) error {
	if err := os.Link(old, new); err != nil {
		return err
	}
	return os.Remove(old)
}
