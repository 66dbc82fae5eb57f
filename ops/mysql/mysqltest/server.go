// Package mysqltest starts a private mariadbd for tests: a temporary
// datadir made by mariadb-install-db, its own port on 127.0.0.1 and its own
// socket, binary logging on, root with an empty password (no
// --skip-grant-tables). It never touches the machine's own server.
package mysqltest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

// Server is one running mariadbd.
type Server struct {
	Dir     string // holds socket, pid file, logs
	Datadir string
	Socket  string
	Port    int
	Args    []string // mariadbd argv, to start it again
	DSN     string   // root over the socket
	cmd     *exec.Cmd
	done    chan struct{}
}

// Options shape a server.
type Options struct {
	Dir     string   // required: a folder the server may use
	Datadir string   // default Dir/data; may be on a small filesystem
	Extra   []string // more mariadbd flags
}

// Missing names the binaries a test needs that are not installed ("" = all there).
func Missing() string {
	var miss []string
	for _, b := range []string{"mariadbd", "mariadb-install-db", "mariadb", "mariadb-dump"} {
		if _, err := exec.LookPath(b); err != nil {
			if _, err := os.Stat("/usr/sbin/" + b); err != nil {
				miss = append(miss, b)
			}
		}
	}
	return strings.Join(miss, ", ")
}

func bin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start initialises a datadir and starts mariadbd on it, waiting until it
// answers.
func Start(o Options) (*Server, error) {
	if m := Missing(); m != "" {
		return nil, fmt.Errorf("not installed: %s", m)
	}
	s := &Server{Dir: o.Dir, Datadir: o.Datadir}
	if s.Datadir == "" {
		s.Datadir = filepath.Join(o.Dir, "data")
	}
	s.Socket = filepath.Join(o.Dir, "mysqld.sock")
	if len(s.Socket) > 100 {
		return nil, fmt.Errorf("socket path too long: %s", s.Socket)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.Port = port
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	install := exec.Command(bin("mariadb-install-db"), "--no-defaults", "--user="+u.Username,
		"--datadir="+s.Datadir, "--auth-root-authentication-method=normal", "--skip-test-db",
		"--skip-name-resolve", "--innodb-log-file-size=8M")
	if out, err := install.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	// Its own tmpdir: /tmp is shared with whatever else runs (and cleans) there.
	tmp := filepath.Join(o.Dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	s.Args = append([]string{bin("mariadbd"), "--no-defaults", "--tmpdir=" + tmp, "--user=" + u.Username,
		"--datadir=" + s.Datadir, "--socket=" + s.Socket, fmt.Sprintf("--port=%d", port),
		"--bind-address=127.0.0.1", "--pid-file=" + filepath.Join(o.Dir, "mysqld.pid"),
		"--log-error=" + filepath.Join(o.Dir, "error.log"),
		"--log-bin=mysql-bin", "--server-id=1", "--skip-name-resolve",
		"--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M", "--character-set-server=utf8mb4",
	}, o.Extra...)
	s.DSN = "root@unix(" + s.Socket + ")/?timeout=5s&readTimeout=30s&writeTimeout=30s"
	if err := s.StartAgain(); err != nil {
		return nil, err
	}
	return s, nil
}

// StartAgain starts mariadbd with the same argv (after Kill) and waits.
func (s *Server) StartAgain() error {
	cmd := exec.Command(s.Args[0], s.Args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	return s.WaitUp(90 * time.Second)
}

// WaitUp waits until the server answers over the socket.
func (s *Server) WaitUp(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		db, err := s.Open()
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
			if err == nil {
				return nil
			}
		}
		exited := false
		if s.done != nil {
			select {
			case <-s.done:
				exited = true
			default:
			}
		}
		if exited || time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
			return fmt.Errorf("mariadbd did not answer within %s: %v\n%s", d, err, tail(string(log), 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// Open is a pool on the server as root.
func (s *Server) Open() (*sql.DB, error) {
	c, err := driver.ParseDSN(s.DSN)
	if err != nil {
		return nil, err
	}
	c.MultiStatements = true
	return sql.Open("mysql", c.FormatDSN())
}

// Exec runs statements (several allowed, separated by ';').
//
// A query that rotates the binary log waits for the server's binlog
// checkpoint: until InnoDB has checkpointed, MariaDB keeps the previous
// logs "for crash recovery" and a PURGE right after silently keeps them,
// which made purge tests flaky on a loaded machine.
func (s *Server) Exec(q string) error {
	db, err := s.Open()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err = db.Exec(q); err != nil {
		return err
	}
	if strings.Contains(strings.ToUpper(q), "FLUSH BINARY LOGS") {
		return WaitBinlogCheckpoint(db, 30*time.Second)
	}
	return nil
}

// WaitBinlogCheckpoint waits until the newest Binlog_checkpoint event in
// the active binary log names the active log itself: no older log is then
// needed for crash recovery.
func WaitBinlogCheckpoint(db *sql.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var active string
		var pos int64
		var doDB, ignoreDB sql.NullString
		row := db.QueryRow("SHOW MASTER STATUS")
		if err := row.Scan(&active, &pos, &doDB, &ignoreDB); err != nil {
			return fmt.Errorf("show master status: %w", err)
		}
		rows, err := db.Query("SHOW BINLOG EVENTS IN '" + active + "'")
		if err != nil {
			return err
		}
		last := ""
		for rows.Next() {
			var logName, evType, info string
			var p, serverID, end int64
			if err := rows.Scan(&logName, &p, &evType, &serverID, &end, &info); err != nil {
				rows.Close()
				return err
			}
			if evType == "Binlog_checkpoint" {
				last = info
			}
		}
		rows.Close()
		if last == active {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("binlog checkpoint still at %q, active log %s", last, active)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Pid is the running mariadbd's pid (0 when none is known).
func (s *Server) Pid() int {
	data, err := os.ReadFile(filepath.Join(s.Dir, "mysqld.pid"))
	if err == nil {
		var pid int
		if _, err := fmt.Sscan(string(data), &pid); err == nil {
			return pid
		}
	}
	if s.cmd != nil && s.cmd.Process != nil {
		return s.cmd.Process.Pid
	}
	return 0
}

// Signal sends sig to the server (SIGSTOP / SIGCONT for hang tests). For
// those two it returns once every thread of the server is stopped, or
// running again: kill(2) returns before the threads stop, and on a busy
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
	_ = os.Remove(filepath.Join(s.Dir, "mysqld.pid"))
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

// ClientArgs are the flags for the mariadb/mariadb-dump clients.
func (s *Server) ClientArgs() []string {
	return []string{"--no-defaults", "--socket=" + s.Socket, "--user=root"}
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
