package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
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

// TestTestsStayOutOfTheRealFolders: in a test binary, a lock or an edit in
// richsops' real folders is refused (a test must use temp folders), so a
// test that forgets edittest fails instead of writing there.
func TestTestsStayOutOfTheRealFolders(t *testing.T) {
	def := config.Default()
	if _, err := LockFile(context.Background(), def.LockDir, "x.lock", time.Second); err == nil || !strings.Contains(err.Error(), "real folder") {
		t.Fatalf("lock in %s: %v", def.LockDir, err)
	}
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("a\n"), 0o644)
	for _, d := range []EditDirs{{Locks: def.LockDir, Backups: t.TempDir()}, {Locks: t.TempDir(), Backups: def.BackupDir()}} {
		_, err := NewLocalEditing(d).Edit(context.Background(), p, func([]byte) ([]byte, error) { return []byte("b\n"), nil }, EditOpts{Backup: true})
		if err == nil || !strings.Contains(err.Error(), "real folder") {
			t.Errorf("edit with %+v: %v", d, err)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != "a\n" {
		t.Errorf("file: %q", b)
	}
}
