// Package swaptest is the adversary of the safe-remove tests: it swaps a
// folder with a symbolic link to another folder, atomically and as fast as
// it can, the way an attacker races a root process that walks by paths.
package swaptest

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// Swapper exchanges two names with renameat2(RENAME_EXCHANGE) in a loop.
type Swapper struct {
	a, b  string
	n     atomic.Int64
	stop  chan struct{}
	done  sync.WaitGroup
	limit int64
	err   atomic.Value
}

// Link makes dir/name+".swap" a symbolic link to outside, the partner that
// Start exchanges with dir/name.
func Link(t testing.TB, dir, name, outside string) string {
	t.Helper()
	l := filepath.Join(dir, name+".swap")
	if err := os.Symlink(outside, l); err != nil {
		t.Fatal(err)
	}
	return l
}

// Start exchanges a and b until Stop, or until limit exchanges (0 = no
// limit) have been made. A failed exchange is reported by Stop.
func Start(a, b string, limit int64) *Swapper {
	s := &Swapper{a: a, b: b, stop: make(chan struct{}), limit: limit}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		for s.limit == 0 || s.n.Load() < s.limit {
			select {
			case <-s.stop:
				return
			default:
			}
			if err := unix.Renameat2(unix.AT_FDCWD, s.a, unix.AT_FDCWD, s.b, unix.RENAME_EXCHANGE); err != nil {
				s.err.Store(err)
				return
			}
			s.n.Add(1)
		}
	}()
	return s
}

// Count is the exchanges made so far.
func (s *Swapper) Count() int64 { return s.n.Load() }

// Done is true once the limit is reached (or the swapper failed).
func (s *Swapper) Done() bool {
	return (s.limit > 0 && s.n.Load() >= s.limit) || s.err.Load() != nil
}

// Stop ends the loop and leaves a and b as they were at the start (an even
// number of exchanges). It returns the count and the first failure.
func (s *Swapper) Stop() (int64, error) {
	close(s.stop)
	s.done.Wait()
	var err error
	if e, ok := s.err.Load().(error); ok {
		err = e
	}
	if s.n.Load()%2 == 1 && err == nil {
		err = unix.Renameat2(unix.AT_FDCWD, s.a, unix.AT_FDCWD, s.b, unix.RENAME_EXCHANGE)
	}
	return s.n.Load(), err
}
