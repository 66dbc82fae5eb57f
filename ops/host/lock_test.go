package host

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// Lock excludes a second holder on both hosts until the first releases,
// and the two hosts' locks are the same flock on the same file.
func TestHostLock(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := filepath.Join(t.TempDir(), "locks")
		release, err := h.Lock(ctx(t), dir, "a b.lock", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, other := range []Host{h, NewLocal()} {
			start := time.Now()
			if _, err := other.Lock(ctx(t), dir, "a b.lock", time.Second); !errors.Is(err, ErrLocked) {
				t.Fatalf("second lock on %s: %v, want ErrLocked", other.Name(), err)
			}
			if time.Since(start) < 900*time.Millisecond {
				t.Errorf("gave up after %s, before the wait", time.Since(start))
			}
		}
		if r, err := h.Lock(ctx(t), dir, "other.lock", time.Second); err != nil {
			t.Fatalf("another name: %v", err)
		} else {
			r()
		}
		release()
		r, err := NewLocal().Lock(ctx(t), dir, "a b.lock", time.Second)
		if err != nil {
			t.Fatalf("after release: %v", err)
		}
		r()
	})
}
