package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/richs/richsops/ops/config"
)

// ErrLockTimeout is LockFile's answer when the lock stayed held for all of
// the wait.
var ErrLockTimeout = errors.New("lock wait timed out")

// LockFile takes the exclusive flock(2) on dir/name on this machine, the
// one lock primitive of richsops' own processes (the locked edit, run-now,
// the guard): it creates dir (0700) and the file (0600) if need be and
// waits up to wait (wait <= 0: for as long as ctx allows). The release
// closes the file; a killed holder's lock is released by the kernel.
func LockFile(ctx context.Context, dir, name string, wait time.Duration) (func(), error) {
	if err := refuseRealDirs(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	pause := 5 * time.Millisecond
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		if wait > 0 && time.Now().After(deadline) {
			f.Close()
			return nil, ErrLockTimeout
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		// Short waits while edits contend; a long holder (a guard round)
		// is polled less often.
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// underTest: this process is a Go test binary.
var underTest = strings.HasSuffix(os.Args[0], ".test")

// refuseRealDirs keeps tests out of richsops' real folders (the default
// state_dir and lock_dir's parent): a test's locks and backups there would
// mix with the real console's on this machine. Tests point both at a temp
// folder (internal/testenv/edittest).
func refuseRealDirs(dirs ...string) error {
	if !underTest {
		return nil
	}
	def := config.Default()
	for _, d := range dirs {
		d = filepath.Clean(d)
		for _, real := range []string{def.StateDir, filepath.Dir(def.LockDir)} {
			if d == real || strings.HasPrefix(d, real+"/") {
				return fmt.Errorf("a test uses richsops' real folder %s: point lock_dir and state_dir at a temp folder (edittest.Config)", d)
			}
		}
	}
	return nil
}
