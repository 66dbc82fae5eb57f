// Package localdb runs a private mariadbd on this machine: a datadir made by
// mariadb-install-db, its own port on 127.0.0.1 and its own socket, binary
// logging on (basename mysql-bin), root with an empty password (no
// --skip-grant-tables, so the console's SQL sees real privileges).
//
// The tests' servers (mysqltest) and the demo sandbox's server are both
// made here, so the flags that keep a private server away from the
// machine's own one live in one place: it reads no option file but the one
// it is given (--no-defaults otherwise: /etc/mysql is never read), listens
// on loopback only and keeps its socket, pid file, error log and tmpdir in
// its own folder.
package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/richs/richsops/internal/testenv/freeport"
)

// Binaries are what a private server needs: the server, the datadir
// initialiser, and the two clients (tests query with one, backups dump
// with the other).
var Binaries = []string{"mariadbd", "mariadb-install-db", "mariadb", "mariadb-dump"}

// Missing names the Binaries that are not installed ("" = all there).
// Debian keeps mariadbd in /usr/sbin, which a normal user's PATH lacks.
func Missing() string {
	var miss []string
	for _, b := range Binaries {
		if _, err := exec.LookPath(b); err != nil {
			if _, err := os.Stat("/usr/sbin/" + b); err != nil {
				miss = append(miss, b)
			}
		}
	}
	return strings.Join(miss, ", ")
}

// Bin is the path of one of the Binaries: from PATH, else /usr/sbin.
func Bin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

// Options shape a server.
type Options struct {
	Dir     string // required: a folder for socket, pid file, error log and tmpdir
	Datadir string // default Dir/data; may be on a small filesystem
	Port    int    // default: a free port
	// DefaultsFile, when set, is the one option file the server reads
	// (--defaults-file), as the real server reads /etc/my.cnf; the command
	// line still wins for everything set here. Empty: --no-defaults.
	DefaultsFile string
	Extra        []string // more mariadbd flags
}

// Server is one private server's layout and argv. New computes it;
// Install, Spawn and WaitUp make it real.
type Server struct {
	Dir     string
	Datadir string
	Socket  string
	Port    int
	User    string   // the OS user mariadbd runs as: whoever runs this
	Args    []string // mariadbd argv: every start uses the same one
	DSN     string   // root over the socket
}

// maxSocketPath: sun_path holds 108 bytes with the NUL; keep a margin.
const maxSocketPath = 100

// New lays out a server: paths, port and argv. Nothing is started and no
// file is written.
func New(o Options) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("localdb: Options.Dir is required")
	}
	s := &Server{Dir: o.Dir, Datadir: o.Datadir, Port: o.Port, Socket: filepath.Join(o.Dir, "mysqld.sock")}
	if s.Datadir == "" {
		s.Datadir = filepath.Join(o.Dir, "data")
	}
	if len(s.Socket) > maxSocketPath {
		return nil, fmt.Errorf("socket path too long for a unix socket (%d bytes, at most %d): %s", len(s.Socket), maxSocketPath, s.Socket)
	}
	if s.Port == 0 {
		var err error
		if s.Port, err = freeport.Loopback(); err != nil {
			return nil, err
		}
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	s.User = u.Username
	defaults := "--no-defaults"
	if o.DefaultsFile != "" {
		defaults = "--defaults-file=" + o.DefaultsFile // must be the first option
	}
	// --user: mariadbd refuses to run as root without it, and it keeps
	// the server as whoever runs the tests or the demo otherwise.
	s.Args = append([]string{Bin("mariadbd"), defaults, "--tmpdir=" + s.tmpDir(), "--user=" + s.User,
		"--datadir=" + s.Datadir, "--socket=" + s.Socket, fmt.Sprintf("--port=%d", s.Port),
		"--bind-address=127.0.0.1", "--pid-file=" + s.PidFile(), "--log-error=" + s.ErrorLog(),
		"--log-bin=mysql-bin", "--server-id=1", "--skip-name-resolve",
		"--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M", "--character-set-server=utf8mb4",
	}, o.Extra...)
	s.DSN = "root@unix(" + s.Socket + ")/?timeout=5s&readTimeout=30s&writeTimeout=30s"
	return s, nil
}

// Own tmpdir: /tmp is shared with whatever else runs (and cleans) there.
func (s *Server) tmpDir() string { return filepath.Join(s.Dir, "tmp") }

// PidFile is where mariadbd writes its pid once it runs.
func (s *Server) PidFile() string { return filepath.Join(s.Dir, "mysqld.pid") }

// ErrorLog is mariadbd's log: why it did not start is there.
func (s *Server) ErrorLog() string { return filepath.Join(s.Dir, "error.log") }

// TCPDSN is root over loopback TCP to a server on port, as a remote client
// would connect.
func TCPDSN(port int) string { return fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port) }

// ClientArgs are the flags for the mariadb/mariadb-dump clients.
func (s *Server) ClientArgs() []string {
	return []string{"--no-defaults", "--socket=" + s.Socket, "--user=root"}
}

// Installed tells whether the datadir holds the system tables (Install
// leaves nothing behind when it fails, so a half-made datadir does not
// count).
func (s *Server) Installed() bool {
	fi, err := os.Stat(filepath.Join(s.Datadir, "mysql"))
	return err == nil && fi.IsDir()
}

// Install initialises the datadir with mariadb-install-db (about a second).
// A cancelled ctx kills it and its bootstrap server (their own process
// group); on any failure the datadir is left empty.
func (s *Server) Install(ctx context.Context) error {
	// The bootstrap server's temporary tables go to a tmpdir of its own:
	// in the shared /tmp, bootstraps run side by side lose them to each
	// other ("Could not remove temporary table", Unknown table
	// 'mysql.tmp_user_sys', or a crash).
	if err := os.MkdirAll(s.tmpDir(), 0o700); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, Bin("mariadb-install-db"), "--no-defaults", "--user="+s.User,
		"--datadir="+s.Datadir, "--tmpdir="+s.tmpDir(), "--auth-root-authentication-method=normal", "--skip-test-db",
		"--skip-name-resolve", "--innodb-log-file-size=8M")
	// mariadb-install-db is a script that runs mariadbd --bootstrap: kill
	// the group, not only the script, or the bootstrap server lives on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if rerr := os.RemoveAll(s.Datadir); rerr == nil {
		_ = os.MkdirAll(s.Datadir, 0o755)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("mariadb-install-db: %w", ctx.Err())
	}
	return fmt.Errorf("mariadb-install-db: %v\n%s", err, tail(string(out), 20))
}

// Spawn starts mariadbd with Args; attr puts it in its own process group
// or session. Its output goes to ErrorLog (stdout and stderr are
// /dev/null, so a caller's pipes are never held open). exited is closed
// when it ends: Spawn reaps it while the caller lives.
func (s *Server) Spawn(attr *syscall.SysProcAttr) (cmd *exec.Cmd, exited <-chan struct{}, err error) {
	if err := os.MkdirAll(s.tmpDir(), 0o700); err != nil {
		return nil, nil, err
	}
	cmd = exec.Command(s.Args[0], s.Args[1:]...)
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start mariadbd: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	return cmd, done, nil
}

// WaitUp waits until the server answers over the socket, the process ends
// (exited closes; nil when unknown) or ctx ends. Its error carries the end
// of the error log.
func (s *Server) WaitUp(ctx context.Context, exited <-chan struct{}) error {
	for {
		err := s.ping(ctx)
		if err == nil {
			return nil
		}
		why := ""
		select {
		case <-exited:
			why = "mariadbd exited"
		case <-ctx.Done():
			why = "mariadbd did not answer in time"
		case <-time.After(100 * time.Millisecond):
			continue
		}
		log, _ := os.ReadFile(s.ErrorLog())
		return fmt.Errorf("%s: %v\n%s", why, err, tail(string(log), 20))
	}
}

func (s *Server) ping(ctx context.Context) error {
	db, err := s.Open()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func tail(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// Pid is the pid in PidFile (0 when there is none).
func (s *Server) Pid() int {
	data, err := os.ReadFile(s.PidFile())
	if err != nil {
		return 0
	}
	var pid int
	if _, err := fmt.Sscan(string(data), &pid); err != nil {
		return 0
	}
	return pid
}

// Open is a pool on the server as root, several statements per Exec allowed.
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
// which made purge tests flaky on a loaded machine (and would make the
// demo's first purge look broken).
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
