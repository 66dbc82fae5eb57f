package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
)

// SSH is a host reached with the system ssh client, so ~/.ssh/config, the
// agent and known_hosts behave as operators expect. Every remote step is an
// argv quoted with ShellQuote for the remote login shell (sshd always runs
// the command through it), which must be a POSIX shell; the file helpers
// need GNU coreutils and findutils on the remote side (any Linux server).
//
// Repeated commands share one connection (ControlMaster=auto with a socket
// in a private 0700 folder, ControlPersist), so only the first pays for the
// TCP and key exchange; Close ends that shared connection.
type SSH struct {
	name    string
	dest    string
	binary  string
	base    []string // options for every ssh call: user's first, since ssh keeps the first value given
	muxOpts []string // ControlMaster/ControlPath/ControlPersist; nil when sharing is off
	// slots bounds the sessions on the shared connection below sshd's
	// MaxSessions (default 10); a command beyond it gets its own connection
	// rather than a "session open refused" failure.
	slots chan struct{}
	dirs  EditDirs
}

// SSHConfig tunes NewSSH. The zero value gives the defaults.
type SSHConfig struct {
	Binary          string        // ssh client; "" = "ssh" from PATH
	ConnectTimeout  time.Duration // TCP connect and key exchange; 0 = DefaultConnectTimeout
	ControlDir      string        // folder of the shared-connection sockets; "" = DefaultControlDir()
	ControlPersist  time.Duration // idle time before the shared connection closes; 0 = DefaultControlPersist
	NoControlMaster bool          // one connection per command (benchmarks, odd servers)
	Edit            EditDirs      // lock and backup folders on the remote host; unset = Edit refuses
	MaxMuxSessions  int           // concurrent commands on the shared connection; 0 = 8
}

// Defaults of SSHConfig. An operator can override ConnectTimeout and
// ControlPersist per host with "-o" in the host's options.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultControlPersist = 60 * time.Second
	defaultMuxSessions    = 8
	// maxSocketPath is sun_path's size on Linux less the NUL.
	maxSocketPath = 107
)

// ErrUnreachable is wrapped by the error of any SSH host operation that
// could not reach the remote shell (refused, timed out, authentication,
// host key): the remote command did not run.
var ErrUnreachable = errors.New("host unreachable")

// ConnectError says ssh could not connect (it exited 255 before the remote
// shell started). Msg is ssh's own explanation.
type ConnectError struct {
	Host, Dest string
	Msg        string
}

func (e *ConnectError) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = "ssh exited 255 without a message"
	}
	return fmt.Sprintf("host %s (%s): cannot connect over ssh: %s", e.Host, e.Dest, msg)
}

func (e *ConnectError) Unwrap() error { return ErrUnreachable }

// DefaultControlDir is $XDG_RUNTIME_DIR/richsops-ssh, else
// $TMPDIR/richsops-ssh-UID.
func DefaultControlDir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "richsops-ssh")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("richsops-ssh-%d", os.Getuid()))
}

// privateDir makes dir (0700) and checks that nobody else can reach into
// it: a socket there lets anyone who can open it run commands on the host.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("ssh control folder: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("ssh control folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("ssh control folder %s: not a folder (a symlink?)", dir)
	}
	if uid := toFileInfo(fi).UID; uid != os.Getuid() {
		return fmt.Errorf("ssh control folder %s: owned by uid %d, not by us (uid %d); remove it", dir, uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("ssh control folder: %w", err)
		}
	}
	return nil
}

// NewSSH builds the host of a [[hosts]] entry.
func NewSSH(e config.HostEntry, sc SSHConfig) (*SSH, error) {
	if e.SSH == "" || strings.HasPrefix(e.SSH, "-") || strings.ContainsAny(e.SSH, " \t\r\n\x00") {
		return nil, fmt.Errorf("host %s: ssh destination %q: want user@host", e.Name, e.SSH)
	}
	if err := config.CheckSSHOptions(e.Options); err != nil {
		return nil, fmt.Errorf("host %s: %w", e.Name, err)
	}
	s := &SSH{name: e.Name, dest: e.SSH, binary: sc.Binary, dirs: sc.Edit}
	if s.binary == "" {
		s.binary = "ssh"
	}
	ct := sc.ConnectTimeout
	if ct <= 0 {
		ct = DefaultConnectTimeout
	}
	s.base = append(append([]string{}, e.Options...),
		"-o", "BatchMode=yes",
		"-o", "ConnectTimeout="+strconv.Itoa(ceilSeconds(ct)),
		// Notice a dead peer during long streams (log following).
		"-o", "ServerAliveInterval=15",
		"-o", "ServerAliveCountMax=3",
		"-o", "LogLevel=ERROR",
		"-T",
	)
	if !sc.NoControlMaster {
		dir := sc.ControlDir
		if dir == "" {
			dir = DefaultControlDir()
		}
		// %C is a 40-hex hash of the connection: one socket per destination.
		if n := len(dir) + len("/") + 40; n > maxSocketPath {
			return nil, fmt.Errorf("host %s: ssh control folder %s is too long for a socket path (%d > %d bytes)", e.Name, dir, n, maxSocketPath)
		}
		if err := privateDir(dir); err != nil {
			return nil, fmt.Errorf("host %s: %w", e.Name, err)
		}
		persist := sc.ControlPersist
		if persist <= 0 {
			persist = DefaultControlPersist
		}
		s.muxOpts = []string{
			"-o", "ControlMaster=auto",
			"-o", "ControlPath=" + filepath.Join(dir, "%C"),
			"-o", "ControlPersist=" + strconv.Itoa(ceilSeconds(persist)),
		}
		n := sc.MaxMuxSessions
		if n <= 0 {
			n = defaultMuxSessions
		}
		s.slots = make(chan struct{}, n)
	}
	return s, nil
}

func ceilSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

func (s *SSH) Name() string  { return s.name }
func (s *SSH) IsLocal() bool { return false }

// Dest is the ssh destination (user@host).
func (s *SSH) Dest() string { return s.dest }

// Multiplexed reports whether commands share one connection.
func (s *SSH) Multiplexed() bool { return s.muxOpts != nil }

// argv is the local ssh command line running remote on the host.
func (s *SSH) argv(shared bool, extra []string, remote string) []string {
	out := append([]string{s.binary}, s.base...)
	if shared {
		out = append(out, s.muxOpts...)
	} else {
		out = append(out, "-o", "ControlMaster=no", "-o", "ControlPath=none")
	}
	out = append(out, extra...)
	out = append(out, "--", s.dest)
	if remote != "" {
		out = append(out, remote)
	}
	return out
}

// remoteMarker is printed to stderr by the remote shell before anything
// else: ssh exits 255 both when it cannot connect and when the remote
// command exits 255, and only the marker tells them apart. It is removed
// from Result.Stderr.
const remoteMarker = "\x1frichsops-remote\n"

// markerCmd prints remoteMarker (printf turns \037 into the 0x1f byte).
const markerCmd = `printf '\037richsops-remote\n' >&2; `

// remoteCommand renders c as the string the remote login shell runs.
func remoteCommand(c Cmd) (string, error) {
	if len(c.Argv) == 0 {
		return "", errors.New("empty command")
	}
	for _, a := range c.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return "", fmt.Errorf("%s: an argument holds a NUL byte", c.Argv[0])
		}
	}
	var b strings.Builder
	b.WriteString(markerCmd)
	if c.Dir != "" {
		if strings.IndexByte(c.Dir, 0) >= 0 {
			return "", errors.New("folder name holds a NUL byte")
		}
		b.WriteString("cd " + QuoteWord(plainPath(c.Dir)) + " || exit 1; ")
	}
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		if !isEnvName(k) {
			return "", fmt.Errorf("environment variable name %q: want letters, digits and _", k)
		}
		if strings.IndexByte(c.Env[k], 0) >= 0 {
			return "", fmt.Errorf("environment variable %s holds a NUL byte", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("export " + k + "=" + QuoteWord(c.Env[k]) + "; ")
	}
	argv := ShellQuote(c.Argv)
	// Killing the local ssh does not stop a remote command that prints
	// nothing (sshd does not signal it), so a command with a timeout also
	// gets one on the remote side, a little longer than the local one.
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout > 0 {
		fmt.Fprintf(&b, "if command -v timeout >/dev/null 2>&1; then exec timeout -k %d %d %s; fi; ",
			remoteKillGrace, ceilSeconds(timeout)+remoteTimeoutSlack, argv)
	}
	// exec spares a shell process; a command word starting with "-" would
	// read as an option of exec, so it runs without.
	if !strings.HasPrefix(c.Argv[0], "-") {
		b.WriteString("exec ")
	}
	b.WriteString(argv)
	return b.String(), nil
}

// The remote timeout runs remoteTimeoutSlack seconds past the local one
// (so the local one, with its clear error, fires first), then SIGTERM, and
// SIGKILL remoteKillGrace seconds later.
const (
	remoteTimeoutSlack = 2
	remoteKillGrace    = 5
)

func isEnvName(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// plainPath makes a relative path start with "./", so no remote tool can
// take it for an option (or find for an expression).
func plainPath(p string) string {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}

// Run runs c on the remote host. A non-zero remote exit gives *ExitError
// with the remote argv; a failure to connect gives *ConnectError (wrapping
// ErrUnreachable); a timeout kills the local ssh and wraps ErrTimeout (and
// ErrUnreachable when the remote shell had not started yet).
func (s *SSH) Run(ctx context.Context, c Cmd) (Result, error) {
	remote, err := remoteCommand(c)
	if err != nil {
		return Result{Argv: c.Argv, ExitCode: -1}, fmt.Errorf("host %s: %w", s.name, err)
	}
	return s.run(ctx, c, remote)
}

// run runs the remote shell command line remote with c's stdin, stdout and
// timeout; c.Argv names the command in results and errors.
func (s *SSH) run(ctx context.Context, c Cmd, remote string) (Result, error) {
	res := Result{Argv: c.Argv, ExitCode: -1}
	shared := false
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			shared = true
			defer func() { <-s.slots }()
		default: // all shared sessions busy: own connection
		}
	}
	lc := c
	lc.Argv = s.argv(shared, nil, remote)
	lc.Dir, lc.Env = "", nil
	lres, err := RunLocal(ctx, lc)
	res.Stdout, res.Duration = lres.Stdout, lres.Duration
	stderr, started := cutMarker(lres.Stderr)
	res.Stderr = stderr
	res.ExitCode = lres.ExitCode
	if err == nil {
		return res, nil
	}
	if errors.Is(err, ErrTimeout) {
		if !started {
			return res, fmt.Errorf("host %s (%s): %w: no answer: %w", s.name, s.dest, ErrUnreachable, err)
		}
		limit := c.Timeout
		if limit == 0 {
			limit = DefaultTimeout
		}
		return res, fmt.Errorf("host %s: %s: %w after %s", s.name, c.Argv[0], ErrTimeout, limit)
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Code == 255 && !started {
			res.ExitCode = -1
			return res, &ConnectError{Host: s.name, Dest: s.dest, Msg: lastLines(strings.TrimSpace(string(stderr)), 3)}
		}
		return res, &ExitError{Argv: c.Argv, Code: ee.Code, Stderr: string(stderr)}
	}
	return res, fmt.Errorf("host %s: %w", s.name, err)
}

// cutMarker removes the remote marker from stderr and says whether it was
// there. What ssh itself said before the remote shell started (such as
// "session open refused by peer ... disabling multiplexing" when sshd's
// MaxSessions is reached and ssh falls back to a connection of its own) is
// not the command's and goes too.
func cutMarker(stderr []byte) ([]byte, bool) {
	i := bytes.Index(stderr, []byte(remoteMarker))
	if i < 0 {
		return stderr, false
	}
	return stderr[i+len(remoteMarker):], true
}

// Close ends the shared connection. It uses "ssh -O stop": the master stops
// taking new commands at once and exits when the commands still running on
// it (maybe another richsops process's) finish, instead of cutting them off
// as "-O exit" would. Commands after Close open a new shared connection.
// Closing when none is open is not an error.
func (s *SSH) Close() error {
	if s.muxOpts == nil {
		return nil
	}
	_, err := RunLocal(context.Background(), Cmd{Argv: s.argv(true, []string{"-O", "stop"}, ""), Timeout: 10 * time.Second})
	var ee *ExitError
	if errors.As(err, &ee) && ee.Code == 255 {
		return nil // no master running (no socket, or a stale one)
	}
	if err != nil {
		return fmt.Errorf("host %s: closing the shared ssh connection: %w", s.name, err)
	}
	return nil
}

// MasterRunning reports whether a shared connection is open (ssh -O check).
func (s *SSH) MasterRunning(ctx context.Context) bool {
	if s.muxOpts == nil {
		return false
	}
	_, err := RunLocal(ctx, Cmd{Argv: s.argv(true, []string{"-O", "check"}, ""), Timeout: 10 * time.Second})
	return err == nil
}

// Exit codes of the remote helper scripts.
const (
	codeNotExist = 3
	codeIsDir    = 5
	codeChanged  = 6
)

var errIsFolder = errors.New("is a folder")

// helperPrelude is shared by the remote helper scripts: $1 is the path.
const helperPrelude = `p=$1
if [ ! -e "$p" ] && [ ! -L "$p" ]; then exit 3; fi
`

// script runs a POSIX sh script in the remote login shell with args as
// "$1"...: the script is constant and the arguments are quoted words, never
// spliced in. (Running it in the login shell itself, not "sh -c", spares a
// process per file operation.)
func (s *SSH) script(ctx context.Context, op, p, body string, args []string, stdin io.Reader) (Result, error) {
	return s.scriptIO(ctx, op, p, body, args, Cmd{Stdin: stdin})
}

// scriptIO is script with io's Stdin, Stdout and Timeout.
func (s *SSH) scriptIO(ctx context.Context, op, p, body string, args []string, io Cmd) (Result, error) {
	res, err := s.scriptRaw(ctx, op, p, body, args, io)
	return res, s.scriptErr(op, p, err)
}

// scriptRaw runs the script and returns run's error as it is (an
// *ExitError keeps the script's exit code).
func (s *SSH) scriptRaw(ctx context.Context, op, p, body string, args []string, io Cmd) (Result, error) {
	for _, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return Result{ExitCode: -1}, fmt.Errorf("host %s: %s %q: a NUL byte in the name", s.name, op, p)
		}
	}
	remote := markerCmd + "export LC_ALL=C; set -- " + ShellQuote(args) + "\n" + body
	io.Argv = []string{op, p}
	return s.run(ctx, io, remote)
}

// scriptErr turns a helper script's exit into the error callers expect.
func (s *SSH) scriptErr(op, p string, err error) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		switch ee.Code {
		case codeNotExist:
			return &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
		case codeIsDir:
			return &fs.PathError{Op: op, Path: p, Err: errIsFolder}
		}
		msg := strings.TrimSpace(ee.Stderr)
		if strings.Contains(msg, "Permission denied") {
			return &fs.PathError{Op: op, Path: p, Err: fs.ErrPermission}
		}
		if msg == "" {
			msg = fmt.Sprintf("exit status %d", ee.Code)
		}
		return fmt.Errorf("host %s: %s %s: %s", s.name, op, p, lastLines(msg, 3))
	}
	return err
}

const readFileScript = helperPrelude + `if [ -d "$p" ]; then exit 5; fi
exec cat -- "$p"`

// ReadFile returns a remote file's content (cat).
func (s *SSH) ReadFile(ctx context.Context, p string) ([]byte, error) {
	res, err := s.script(ctx, "read", p, readFileScript, []string{plainPath(p)}, nil)
	if err != nil {
		return nil, err
	}
	return res.Stdout, nil
}

// statFormat prints type, octal mode, size, mtime, uid, gid, device,
// inode and name,
// NUL-terminated so any file name (newlines too) survives.
const statFormat = `%y %m %s %T@ %U %G %D %i %f\0`

const statScript = helperPrelude + `exec find "$p" -maxdepth 0 -printf '` + statFormat + `'`

const readDirScript = helperPrelude + `if [ ! -d "$p" ]; then echo "not a folder" >&2; exit 1; fi
exec find -H "$p" -mindepth 1 -maxdepth 1 -printf '` + statFormat + `'`

// Stat describes a remote file (not following a final symlink).
func (s *SSH) Stat(ctx context.Context, p string) (FileInfo, error) {
	res, err := s.script(ctx, "stat", p, statScript, []string{plainPath(p)}, nil)
	if err != nil {
		return FileInfo{}, err
	}
	fis, err := parseFindStat(res.Stdout)
	if err != nil || len(fis) != 1 {
		return FileInfo{}, fmt.Errorf("host %s: stat %s: unexpected answer %q", s.name, p, res.Stdout)
	}
	fi := fis[0]
	fi.Name = path.Base(p)
	return fi, nil
}

// ReadDir lists a remote folder, sorted by name like os.ReadDir.
func (s *SSH) ReadDir(ctx context.Context, p string) ([]FileInfo, error) {
	res, err := s.script(ctx, "readdir", p, readDirScript, []string{plainPath(p)}, nil)
	if err != nil {
		return nil, err
	}
	fis, err := parseFindStat(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("host %s: readdir %s: %w", s.name, p, err)
	}
	sort.Slice(fis, func(i, j int) bool { return fis[i].Name < fis[j].Name })
	return fis, nil
}

// parseFindStat reads records printed with statFormat.
func parseFindStat(out []byte) ([]FileInfo, error) {
	var fis []FileInfo
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		f := strings.SplitN(string(rec), " ", 9)
		if len(f) != 9 {
			return nil, fmt.Errorf("bad stat record %q", rec)
		}
		perm, err1 := strconv.ParseUint(f[1], 8, 32)
		size, err2 := strconv.ParseInt(f[2], 10, 64)
		mtime, err3 := parseEpoch(f[3])
		uid, err4 := strconv.Atoi(f[4])
		gid, err5 := strconv.Atoi(f[5])
		dev, err6 := strconv.ParseUint(f[6], 10, 64)
		ino, err7 := strconv.ParseUint(f[7], 10, 64)
		if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil || len(f[0]) != 1 {
			return nil, fmt.Errorf("bad stat record %q", rec)
		}
		mode := os.FileMode(perm & 0o777)
		if perm&0o4000 != 0 {
			mode |= os.ModeSetuid
		}
		if perm&0o2000 != 0 {
			mode |= os.ModeSetgid
		}
		if perm&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		switch f[0][0] {
		case 'd':
			mode |= os.ModeDir
		case 'l':
			mode |= os.ModeSymlink
		case 'p':
			mode |= os.ModeNamedPipe
		case 's':
			mode |= os.ModeSocket
		case 'c':
			mode |= os.ModeDevice | os.ModeCharDevice
		case 'b':
			mode |= os.ModeDevice
		case 'f':
		default:
			mode |= os.ModeIrregular
		}
		fis = append(fis, FileInfo{Name: f[8], Size: size, Mode: mode, ModTime: mtime, UID: uid, GID: gid, IsDir: mode.IsDir(), Dev: dev, Ino: ino})
	}
	return fis, nil
}

// parseEpoch reads find's %T@ ("1700000000.1234567890").
func parseEpoch(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	secs, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	var nsec int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		if nsec, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, err
		}
	}
	return time.Unix(secs, nsec), nil
}

const removeScript = helperPrelude + `if [ -d "$p" ] && [ ! -L "$p" ]; then exit 5; fi
exec rm -f -- "$p"`

// Remove deletes one remote file; it refuses folders.
func (s *SSH) Remove(ctx context.Context, p string) error {
	_, err := s.script(ctx, "remove", p, removeScript, []string{plainPath(p)}, nil)
	if errors.Is(err, errIsFolder) {
		return fmt.Errorf("%s: is a folder; refusing to remove", p)
	}
	return err
}

const diskScript = helperPrelude + `exec df -P -B1 -- "$p"`

// Disk reports the remote filesystem holding p (df -P -B1).
func (s *SSH) Disk(ctx context.Context, p string) (DiskUsage, error) {
	res, err := s.script(ctx, "df", p, diskScript, []string{plainPath(p)}, nil)
	if err != nil {
		return DiskUsage{}, err
	}
	d, err := parseDF(res.Stdout)
	if err != nil {
		return DiskUsage{}, fmt.Errorf("host %s: df %s: %w", s.name, p, err)
	}
	d.Path = p
	return d, nil
}

// dfLine is the data line of `df -P -B1`: FS TOTAL USED AVAIL CAP% MOUNT,
// where FS and MOUNT may hold spaces.
var dfLine = sync.OnceValue(func() *regexp.Regexp { // compiled on first use
	return regexp.MustCompile(`^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\S.*)$`)
})

// parseDF reads `df -P -B1` output: a header, then the data line.
func parseDF(out []byte) (DiskUsage, error) {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 2 {
		return DiskUsage{}, fmt.Errorf("unexpected df output %q", out)
	}
	m := dfLine().FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		return DiskUsage{}, fmt.Errorf("unexpected df output %q", out)
	}
	total, e1 := strconv.ParseUint(m[2], 10, 64)
	used, e2 := strconv.ParseUint(m[3], 10, 64)
	avail, e3 := strconv.ParseUint(m[4], 10, 64)
	if err := errors.Join(e1, e2, e3); err != nil {
		return DiskUsage{}, fmt.Errorf("unexpected df output %q: %w", out, err)
	}
	return DiskUsage{Mount: m[6], Total: total, Used: used, Free: avail}, nil
}
