package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// ErrLocked is wrapped by Lock's error when the lock stayed held by
// another process for the whole wait.
var ErrLocked = errors.New("held by another process")

// Lock waits up to wait for an exclusive flock(2) on dir/name (dir is
// made when missing), held until the returned release is called.
func (*Local) Lock(ctx context.Context, dir, name string, wait time.Duration) (func(), error) {
	unlock, err := LockFile(ctx, dir, name, wait)
	if errors.Is(err, ErrLockTimeout) || (err != nil && ctx.Err() != nil) {
		return nil, fmt.Errorf("%w (%v)", ErrLocked, err)
	}
	return unlock, err
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
