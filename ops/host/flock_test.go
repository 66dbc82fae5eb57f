package host

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLockFile: a second taker waits and gives up with ErrLockTimeout (or
// the context's error); once released, it gets the lock.
func TestLockFile(t *testing.T) {
	dir := t.TempDir()
	unlock, err := LockFile(context.Background(), dir, "x.lock", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockFile(context.Background(), dir, "x.lock", 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("second lock: %v", err)
	}
	c, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := LockFile(c, dir, "x.lock", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock bounded by the context: %v", err)
	}
	if other, err := LockFile(context.Background(), dir, "y.lock", time.Second); err != nil {
		t.Fatalf("another name is another lock: %v", err)
	} else {
		other()
	}
	unlock()
	again, err := LockFile(context.Background(), dir, "x.lock", time.Second)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}
