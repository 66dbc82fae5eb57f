// Package mysqltest starts a private mariadbd for tests (laid out, installed
// and started by internal/testenv/localdb: a temporary datadir made by
// mariadb-install-db, its own port on 127.0.0.1 and its own socket, binary
// logging on, root with an empty password) and adds what only tests do to
// it: kill it, freeze it, fill its disk. It never touches the machine's own
// server.
package mysqltest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/localdb"
)

// Server is one running mariadbd: the layout and argv of
// localdb.Server (Dir, Datadir, Socket, Port, Args, DSN, Open, Exec,
// ClientArgs) and the process this test started.
type Server struct {
	*localdb.Server
	cmd  *exec.Cmd
	done <-chan struct{}
}

// Options shape a server (Dir is required).
type Options = localdb.Options

// Missing names the binaries a test needs that are not installed ("" = all there).
func Missing() string { return localdb.Missing() }

// Start initialises a datadir and starts mariadbd on it, waiting until it
// answers.
func Start(o Options) (*Server, error) {
	if m := Missing(); m != "" {
		return nil, fmt.Errorf("not installed: %s", m)
	}
	ls, err := localdb.New(o)
	if err != nil {
		return nil, err
	}
	if err := ls.Install(context.Background()); err != nil {
		return nil, err
	}
	s := &Server{Server: ls}
	if err := s.StartAgain(); err != nil {
		return nil, err
	}
	return s, nil
}

// StartAgain starts mariadbd with the same argv (after Kill) and waits.
func (s *Server) StartAgain() error {
	cmd, done, err := s.Spawn(&syscall.SysProcAttr{Setpgid: true})
	if err != nil {
		return err
	}
	s.cmd, s.done = cmd, done
	return s.WaitUp(90 * time.Second)
}

// WaitUp waits until the server answers over the socket.
func (s *Server) WaitUp(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.Server.WaitUp(ctx, s.done)
}

// WaitBinlogCheckpoint waits until no binary log older than the active one
// is needed for crash recovery (see localdb.WaitBinlogCheckpoint).
func WaitBinlogCheckpoint(db *sql.DB, limit time.Duration) error {
	return localdb.WaitBinlogCheckpoint(db, limit)
}

// Pid is the running mariadbd's pid (0 when none is known).
func (s *Server) Pid() int {
	if pid := s.Server.Pid(); pid > 0 {
		return pid
	}
	if s.cmd != nil && s.cmd.Process != nil {
		return s.cmd.Process.Pid
	}
	return 0
}

// Signal sends sig to the server (SIGSTOP / SIGCONT for hang tests). For
// those two it returns once every thread of the server is stopped, or no
// longer all stopped: kill(2) returns before the threads stop, and on a busy
// machine a thread could still answer a query in between.
func (s *Server) Signal(sig syscall.Signal) error {
	pid := s.Pid()
	if pid == 0 {
		return errors.New("no server pid")
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return err
	}
	if sig != syscall.SIGSTOP && sig != syscall.SIGCONT {
		return nil
	}
	want := sig == syscall.SIGSTOP
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if allStopped(pid) == want {
			return nil
		}
	}
	return fmt.Errorf("pid %d: threads not %v after %v", pid, sig, 10*time.Second)
}

// allStopped reports whether every thread of pid is in state T (stopped).
func allStopped(pid int) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if len(tasks) == 0 {
		return false
	}
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that just ended
		}
		// pid (comm) STATE ...: comm may hold spaces and parentheses
		i := bytes.LastIndexByte(data, ')')
		if i < 0 || i+2 >= len(data) || (data[i+2] != 'T' && data[i+2] != 't') {
			return false
		}
	}
	return true
}

// Kill stops the server at once (SIGKILL) and waits for it to go. A server
// that another process started on this datadir (a restart script) and that
// has not written its pid file yet is found by its exact --datadir argument.
func (s *Server) Kill() {
	for _, pid := range s.pidsByDatadir() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if pid := s.Pid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGCONT)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if s.done != nil {
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
		}
	}
	_ = os.Remove(s.PidFile())
}

// Stop shuts the server down cleanly (SIGTERM), killing it after 30 s.
func (s *Server) Stop() {
	pid := s.Pid()
	if pid == 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGCONT)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 600 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	s.Kill()
}

// NeedMariaDB skips the test when mariadbd or its tools are not installed
// (fails it under CI).
func NeedMariaDB(t testing.TB) {
	t.Helper()
	if m := Missing(); m != "" {
		SkipOrFail(t, "not installed: "+m)
	}
}

// StartT starts a server of the test's own in a temporary folder named by
// prefix (short: the socket path is limited), stopped and removed at the
// end; it skips (fails under CI) when mariadbd is not installed.
func StartT(t testing.TB, prefix string) *Server {
	t.Helper()
	NeedMariaDB(t)
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := Start(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// SkipOrFail skips a test for a missing prerequisite, or fails it when the
// CI environment variable is set (CI installs everything).
func SkipOrFail(t interface {
	Helper()
	Fatal(...any)
	Skip(...any)
}, reason string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

// MountTmpfs mounts a tmpfs of size (e.g. "1m") on a temporary folder and
// unmounts it at the end of the test; it skips (fails under CI as root) when
// mounting is not permitted.
func MountTmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "richsops-test", dir).CombinedOutput()
	if err != nil {
		msg := "cannot mount a tmpfs (needs root): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") != "" && os.Getuid() == 0 {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// pidsByDatadir lists the mariadbd processes whose argv holds exactly
// --datadir=s.Datadir (a unique temporary path).
func (s *Server) pidsByDatadir() []int { return Pids("mariadbd", "--datadir="+s.Datadir) }

// Pids lists the processes whose program name ends with prog and whose
// argv holds the argument arg exactly (read from /proc).
func Pids(prog, arg string) []int {
	var out []int
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(data), "\x00")
		if !strings.HasSuffix(args[0], prog) {
			continue
		}
		for _, a := range args {
			if a == arg {
				var pid int
				if _, err := fmt.Sscan(filepath.Base(filepath.Dir(p)), &pid); err == nil {
					out = append(out, pid)
				}
				break
			}
		}
	}
	return out
}

// Main is the TestMain of a package whose tests share one mariadbd: it
// starts it in a temp folder named by prefix (unless mariadbd is missing:
// then *skip says why and the tests skip, or fail under CI), runs setupSQL,
// runs the tests, stops the server and exits with the tests' status.
func Main(m *testing.M, prefix string, o Options, setupSQL string, srv **Server, skip *string) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	o.Dir = dir
	if miss := Missing(); miss != "" {
		*skip = "not installed: " + miss
	} else if *srv, err = Start(o); err == nil && setupSQL != "" {
		err = (*srv).Exec(setupSQL)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mariadbd:", err)
		if *srv != nil {
			(*srv).Stop()
		}
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if *srv != nil {
		(*srv).Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
