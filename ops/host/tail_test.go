package host

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// ReadTail gives the same last bytes on both hosts, for any size and any
// name; a folder or a missing file is an error.
func TestHostReadTail(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		p := filepath.Join(dir, "it's a $(log)")
		body := strings.Repeat("0123456789", 1000)
		write(t, p, body)
		for _, tc := range []struct {
			max  int64
			want string
		}{{1, "9"}, {25, body[len(body)-25:]}, {int64(len(body)), body}, {int64(len(body)) + 100, body}} {
			got, err := h.ReadTail(ctx(t), p, tc.max)
			if err != nil || string(got) != tc.want {
				t.Errorf("max %d: %d bytes, %v; want %d bytes", tc.max, len(got), err, len(tc.want))
			}
		}
		if _, err := h.ReadTail(ctx(t), dir, 10); err == nil {
			t.Error("a folder was read")
		}
		if _, err := h.ReadTail(ctx(t), filepath.Join(dir, "missing"), 10); !os.IsNotExist(err) && !strings.Contains(err.Error(), "not exist") {
			t.Errorf("missing file: %v", err)
		}
	})
}

// Glob expands a pattern on the host itself, never splitting a name or
// running what it holds.
func TestHostGlob(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		names := []string{"access.log", "access.log.1", "a b.log", "$(id).log", "`id` *.log"}
		for _, n := range names {
			write(t, filepath.Join(dir, n), "x")
		}
		write(t, filepath.Join(dir, "other.txt"), "x")
		got, err := h.Glob(ctx(t), filepath.Join(dir, "*.log*"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		var want []string
		for _, n := range names {
			want = append(want, filepath.Join(dir, n))
		}
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("glob %q, want %q", got, want)
		}
		if got, err := h.Glob(ctx(t), filepath.Join(dir, "none*")); err != nil || len(got) != 0 {
			t.Errorf("no match: %q %v", got, err)
		}
	})
}
