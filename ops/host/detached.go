package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/config"
)

// Detached is a process started in its own session, to outlive richsops
// (and ssh): the runbook's `setsid` job launch.
type Detached struct {
	Argv []string
	Dir  string // its working folder; must exist
	// User it runs as when richsops (or ssh's login) is root; otherwise it
	// runs as whoever that is (Started.User says who).
	User string
	// Env is added to the user's login environment (as root) or to the
	// starter's own.
	Env map[string]string
	// Log receives stdout and stderr, appended; never through a symlink.
	// A log created as root is given to User, so cron's runs can write it.
	Log string
	// T is the language of refusals (a Config's T; nil = English).
	T func(en, ja string) string
}

// Started is what StartDetached started.
type Started struct {
	PID int
	// Argv0 is argv[0] as it runs: the program's full path when resolved
	// here, else as given.
	Argv0 string
	User  string // who it runs as, when known before it runs ("" over ssh)
}

// loginPath is the PATH a login shell of a user gets on the box (RHEL's
// ENV_PATH plus ~/.local/bin and ~/bin from the default .bash_profile).
func loginPath(home string) string {
	return home + "/.local/bin:" + home + "/bin:/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin"
}

// earlyExit is how long a local start waits to tell a process that could
// not run at all (exits at once) from one that runs.
const earlyExit = 700 * time.Millisecond

// UserCredential is what a process started as the named user runs with:
// its uid, primary gid and supplementary groups.
func UserCredential(name string) (*syscall.Credential, *user.User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, nil, err
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	var groups []uint32
	if gs, err := u.GroupIds(); err == nil {
		for _, g := range gs {
			if v, err := strconv.ParseUint(g, 10, 32); err == nil {
				groups = append(groups, uint32(v))
			}
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, u, nil
}

// StartDetached starts d in its own session: stdin /dev/null, stdout and
// stderr appended to the log through one O_APPEND descriptor (no shell,
// so no `&`-before-redirect mistake), as d.User when richsops is root.
func (*Local) StartDetached(_ context.Context, d Detached) (Started, error) {
	var cred *syscall.Credential
	var env []string
	st := Started{}
	logUID, logGID := -1, -1
	if os.Geteuid() == 0 && d.User != "" {
		c, u, err := UserCredential(d.User)
		if err != nil {
			return st, fmt.Errorf("user %q: %w", d.User, err)
		}
		cred = c
		st.User, logUID, logGID = u.Username, int(c.Uid), int(c.Gid)
		login := map[string]string{"HOME": u.HomeDir, "USER": u.Username, "LOGNAME": u.Username,
			"SHELL": "/bin/bash", "PATH": loginPath(u.HomeDir)}
		for k, v := range d.Env {
			login[k] = v
		}
		env = MergeEnv(nil, login)
	} else {
		st.User = strconv.Itoa(os.Getuid())
		if u, err := user.Current(); err == nil {
			st.User = u.Username
		}
		env = MergeEnv(os.Environ(), d.Env)
	}
	prog, err := lookPath(d.Argv[0], envValue(env, "PATH"), d.T)
	if err != nil {
		return st, err
	}
	st.Argv0 = prog
	if fi, err := os.Stat(d.Dir); err != nil || !fi.IsDir() {
		return st, config.Errorf(d.T, "folder %s: not a folder (%v)", "フォルダ %s: フォルダではありません（%v）", d.Dir, err)
	}
	_, statErr := os.Lstat(d.Log)
	// The log folder belongs to the app user: as root, never follow a
	// symlink planted there, and never block on a FIFO.
	logf, err := os.OpenFile(d.Log, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return st, fmt.Errorf("log: %w", err)
	}
	defer logf.Close()
	if fi, err := logf.Stat(); err != nil || !fi.Mode().IsRegular() {
		return st, config.Errorf(d.T, "log %s: not a regular file", "ログ %s: 通常のファイルではありません", d.Log)
	}
	if os.IsNotExist(statErr) && logUID >= 0 {
		_ = logf.Chown(logUID, logGID)
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return st, err
	}
	defer devnull.Close()
	cmd := exec.Command(prog, d.Argv[1:]...)
	cmd.Args[0] = prog
	cmd.Dir, cmd.Env = d.Dir, env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return st, err
	}
	st.PID = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reap it if it ends while richsops runs
	select {
	case err := <-exited:
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		if code != 0 {
			return st, config.Errorf(d.T, "pid %d exited at once with status %d (%v): see %s",
				"pid %d はすぐに終了しました（終了コード %d、%v）: %s を確認してください", st.PID, code, err, d.Log)
		}
	case <-time.After(earlyExit):
	}
	return st, nil
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// lookPath finds name in path (the PATH of the user it runs as, not
// richsops' own); its refusal is in t's language.
func lookPath(name, path string, t func(en, ja string) string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, d := range filepath.SplitList(path) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", config.Errorf(t, "%q not found in PATH %s; give its full path",
		"%q が PATH %s にありません。フルパスを指定してください", name, path)
}

// detachedScript starts a process on a host reached over ssh, where
// richsops has no process of its own to fork from. It is a constant: every
// value (folder, log, user, environment, argv) arrives as a positional
// parameter, so nothing from config or input is ever parsed by the shell.
// It mirrors Local.StartDetached: stdin /dev/null, the user switched by
// setpriv (which execs, where runuser and su stay behind as a root parent
// that would look like a second instance), stdout and stderr appended to
// the log, the user's login environment when run as root, and never
// through a symlinked log.
const detachedScript = `cd -- "$1" || { echo "richsops: folder $1 is missing" >&2; exit 1; }
log=$2; u=$3; shift 3
if [ -L "$log" ]; then echo "richsops: log $log is a symlink; refusing" >&2; exit 1; fi
if [ "$(id -u)" = 0 ] && [ ! -e "$log" ]; then : >>"$log" && chown "$u": "$log"; fi
exec </dev/null >>"$log" 2>&1 || exit 1
if [ "$(id -u)" = 0 ] && [ -n "$u" ] && [ "$u" != "$(id -un)" ]; then
	home=$(getent passwd "$u" | cut -d: -f6)
	[ -n "$home" ] || { echo "richsops: no user $u" >&2; exit 1; }
	exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- env -i HOME="$home" USER="$u" LOGNAME="$u" SHELL=/bin/bash \
		PATH="$home/.local/bin:$home/bin:/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin" "$@"
fi
exec env "$@"`

// detachedLauncher runs detachedScript ($1) in a new session in the
// background and prints its pid. A background job of a non-interactive
// shell is no process group leader, so setsid execs without forking: the
// pid printed is the one that ends up running the program. Until the
// script redirects to the log its output goes to stderr, so ssh returns
// once the log is open, with the script's refusal if it made one.
const detachedLauncher = `s=$1; shift
setsid sh -c "$s" "$@" </dev/null >&2 &
echo $!`

// detachedArgv is the argv that starts d over ssh:
// sh -c LAUNCHER richsops-start SCRIPT richsops-run DIR LOG USER [KEY=VALUE...] ARGV...
func detachedArgv(d Detached) []string {
	argv := []string{"sh", "-c", detachedLauncher, "richsops-start", detachedScript, "richsops-run", d.Dir, d.Log, d.User}
	keys := make([]string, 0, len(d.Env))
	for k := range d.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		argv = append(argv, k+"="+d.Env[k])
	}
	return append(argv, d.Argv...)
}

// StartDetached runs the launcher on the host; the process it prints may
// still be on its way (sh, setpriv, env) to running d.Argv.
func (s *SSH) StartDetached(ctx context.Context, d Detached) (Started, error) {
	res, err := s.Run(ctx, Cmd{Argv: detachedArgv(d), Timeout: 30 * time.Second})
	if err != nil {
		return Started{}, fmt.Errorf("start on %s: %w", s.name, err)
	}
	if msg := strings.TrimSpace(string(res.Stderr)); strings.Contains(msg, "richsops: ") {
		return Started{}, fmt.Errorf("start on %s: %s", s.name, lastLines(msg, 3))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
	if err != nil {
		return Started{}, fmt.Errorf("start on %s: no pid in %q", s.name, res.Stdout)
	}
	return Started{PID: pid, Argv0: d.Argv[0]}, nil
}
