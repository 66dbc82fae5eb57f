// Package host says where a command runs and a file lives. Every other ops
// package reaches the box only through a Host, so the same code works on the
// application server (Local) and on the DB server or srv1/srv2 over SSH:
// each capability (commands, files, the locked edit, the safe remove,
// locks, processes and detached starts, a file's last bytes, globs, how a
// file is followed (TailCommand) and how richsops names itself there
// (SelfCommand)) is implemented once for Local and once over SSH, and only
// this package (with config) decides anything from "is it this machine".
//
// Commands are argv slices, never shell strings built from input.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds a command whose Cmd.Timeout is zero: nothing the UI
// starts may hang forever.
const DefaultTimeout = 30 * time.Second

// Cmd is one command to run on a host.
type Cmd struct {
	Argv    []string
	Dir     string            // working folder; "" = host default
	Env     map[string]string // added to (and overriding) the inherited environment
	Stdin   io.Reader         // nil = empty
	Stdout  io.Writer         // nil = captured into Result.Stdout
	Timeout time.Duration     // 0 = DefaultTimeout; <0 = no timeout (only the context)
}

// Result is what a finished command left behind.
type Result struct {
	Argv     []string
	Stdout   []byte // empty when Cmd.Stdout was set
	Stderr   []byte
	ExitCode int // -1 when it did not run to an exit (start failure, timeout, signal)
	Duration time.Duration
}

// ErrTimeout is wrapped by Run's error when the command outlived its timeout.
var ErrTimeout = errors.New("timed out")

// ExitError is returned by Run when the command ran but exited non-zero.
type ExitError struct {
	Argv   []string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s: exit status %d", e.Argv[0], e.Code)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + lastLines(s, 3)
	}
	return msg
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// FileInfo is the part of a stat that ops needs, the same for local and remote.
type FileInfo struct {
	Name    string
	Size    int64
	Mode    os.FileMode
	ModTime time.Time
	UID     int
	GID     int
	IsDir   bool
	// Dev and Ino say which file it is (see Identity).
	Dev, Ino uint64
}

// DiskUsage is one filesystem's usage, as df shows it.
type DiskUsage struct {
	Path        string
	Mount       string
	Total, Used uint64
	Free        uint64 // available to unprivileged users, like df's "Avail"
}

// Percent is used/(used+avail), the figure df prints in its Use% column.
func (d DiskUsage) Percent() float64 {
	if d.Used+d.Free == 0 {
		return 0
	}
	return float64(d.Used) * 100 / float64(d.Used+d.Free)
}

// Owner is who a written file belongs to. -1 in a field keeps that part of
// the old file's owner (the writer's, for a file that did not exist).
type Owner struct {
	UID, GID int
}

// Host runs commands and touches files on one machine.
type Host interface {
	// Name is the configured name ("local", "db1", ...), for audit and display.
	Name() string
	// IsLocal is true for the machine richsops runs on.
	IsLocal() bool
	// Run runs argv and waits. err is nil only for exit status 0; a non-zero
	// exit gives *ExitError, a timeout wraps ErrTimeout. Result is always filled.
	Run(ctx context.Context, c Cmd) (Result, error)
	// ReadFile returns a file's content.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// Stat describes a file (without following a final symlink: Lstat).
	Stat(ctx context.Context, path string) (FileInfo, error)
	// ReadDir lists a folder (Lstat of each entry).
	ReadDir(ctx context.Context, path string) ([]FileInfo, error)
	// Edit is the locked edit, the one way richsops changes a file: under
	// an exclusive lock every richsops process honours, it reads the file,
	// applies change to what it read, and replaces it (temp file in the
	// target's folder, fsync, mode and owner kept, backup in richsops' own
	// folder) only if the file still holds what was read just before the
	// rename; else ErrChanged and nothing is written. A symlink's target is
	// edited, never the link.
	Edit(ctx context.Context, path string, change func(old []byte) ([]byte, error), o EditOpts) (EditResult, error)
	// Remove deletes one file (never a folder tree).
	Remove(ctx context.Context, path string) error
	// RemoveUnder is the safe remove: it deletes the regular file root/rel
	// only if it is still want (see Identity), reached from root through
	// folders that are not symbolic links at the moment of the removal.
	// root itself must not be a link; rel must stay inside it (no "..").
	// Errors wrap ErrNotSame, ErrSymlinkOnPath or ErrOutside for a refusal.
	RemoveUnder(ctx context.Context, root, rel string, want Identity) error
	// Disk reports the filesystem holding path.
	Disk(ctx context.Context, path string) (DiskUsage, error)
	// Lock waits up to wait for an exclusive flock(2) on dir/name on the
	// host, held until the returned release is called; ErrLocked when
	// another process held it all along.
	Lock(ctx context.Context, dir, name string, wait time.Duration) (release func(), err error)
	// Open opens a regular file for reads at any offset (a parallel scan).
	Open(ctx context.Context, path string) (File, error)
	// ReadTail returns the last max bytes of the regular file path (all of
	// it when shorter): the read-back of a log of any size.
	ReadTail(ctx context.Context, path string, max int64) ([]byte, error)
	// Glob lists the paths matching pattern on the host.
	Glob(ctx context.Context, pattern string) ([]string, error)
	// Realpath resolves every symbolic link in path.
	Realpath(ctx context.Context, path string) (string, error)
	// TailCommand is how the host follows one of its files: the argv, run
	// on the host, that prints path's last lines and, with follow, what is
	// appended across rotations. nil: the host's files are this process's
	// own, for the caller's rotation-proof follower, which reads them by
	// descriptor (the tail of a huge file needs that).
	TailCommand(path string, lines int, follow bool) []string

	// Processes lists the running processes q keeps, with argv, user,
	// working folder and start time.
	Processes(ctx context.Context, q ProcessQuery) ([]Process, error)
	// CheckProcess is nil while p (as listed) still runs; else ErrProcessGone
	// or ErrNotSameProcess (its pid was reused).
	CheckProcess(ctx context.Context, p Process) error
	// StartDetached starts d in its own session, as d.User, in d.Dir, its
	// output appended to d.Log; it keeps running after richsops exits.
	StartDetached(ctx context.Context, d Detached) (Started, error)
	// Signal sends sig to p after re-checking that it is still p (as
	// CheckProcess); pid 1 and richsops itself are refused (SignalRefusal).
	Signal(ctx context.Context, p Process, sig syscall.Signal) error
}
