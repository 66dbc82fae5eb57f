package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// ErrLocked is wrapped by Lock's error when the lock stayed held by
// another process for the whole wait.
var ErrLocked = errors.New("held by another process")

// Lock waits up to wait for an exclusive flock(2) on dir/name (dir is
// made when missing), held until the returned release is called.
func (*Local) Lock(ctx context.Context, dir, name string, wait time.Duration) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock folder: %w", err)
	}
	path := filepath.Join(dir, name)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Close(fd) }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			unix.Close(fd)
			return nil, err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("%w (%v)", ErrLocked, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lockScript holds an flock on the host for as long as its stdin stays
// open: it says "locked" once it has the lock and keeps it until richsops
// closes stdin (or ssh goes away, which closes it too). Every value
// arrives as a positional parameter.
const lockScript = `mkdir -p -- "$1" || exit 1
exec flock -w "$3" -- "$1/$2" sh -c 'echo locked; exec cat >/dev/null'`

// Lock is Local.Lock on the host, through flock(1) there.
func (s *SSH) Lock(ctx context.Context, dir, name string, wait time.Duration) (func(), error) {
	// stdin is an OS pipe, handed to ssh as it is: with an io.Pipe the
	// command's end would wait for the copy of stdin, so a lock refused
	// there would never return.
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.Run(ctx, Cmd{
			Argv:  []string{"sh", "-c", lockScript, "richsops-lock", dir, name, strconv.Itoa(int(wait.Seconds()))},
			Stdin: stdinR, Stdout: outW, Timeout: -1,
		})
		stdinR.Close()
		outW.CloseWithError(io.EOF)
		done <- err
	}()
	br := bufio.NewReader(outR)
	line, _ := br.ReadString('\n')
	go io.Copy(io.Discard, br)
	if line == "locked\n" {
		return func() { stdinW.Close(); <-done }, nil
	}
	stdinW.Close()
	err = <-done
	var ee *ExitError
	if err == nil || errors.As(err, &ee) && ee.Code == 1 { // flock -w: 1 when the wait ran out
		return nil, fmt.Errorf("%w (%v)", ErrLocked, err)
	}
	return nil, err
}
