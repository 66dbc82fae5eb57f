package host

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// Open reads any range of a file the same on both hosts, within the size
// it had when opened; a folder is refused.
func TestHostOpen(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		p := filepath.Join(dir, "a log; $(x)")
		body := strings.Repeat("abcdefghij", 10000)
		write(t, p, body)
		f, err := h.Open(ctx(t), p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.Size() != int64(len(body)) {
			t.Fatalf("size %d", f.Size())
		}
		for _, tc := range []struct{ off, n int }{{0, 10}, {5, 3}, {99990, 10}, {99995, 10}, {12345, 65536}} {
			buf := make([]byte, tc.n)
			n, err := f.ReadAt(buf, int64(tc.off))
			end := min(tc.off+tc.n, len(body))
			if string(buf[:n]) != body[tc.off:end] || (end < tc.off+tc.n) != (err == io.EOF) {
				t.Errorf("ReadAt(%d, %d) = %d bytes, %v", tc.off, tc.n, n, err)
			}
		}
		if n, err := io.NewSectionReader(f, 0, f.Size()).Read(make([]byte, 4)); n != 4 || err != nil {
			t.Errorf("section read %d %v", n, err)
		}
		if _, err := h.Open(ctx(t), dir); err == nil {
			t.Error("a folder was opened")
		}
	})
}
