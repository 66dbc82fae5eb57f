// Package sshtest starts a private sshd on a free loopback port with
// freshly generated host and user keys, for tests and benchmarks of the SSH
// host. Nothing outside its temp folder is used or changed, except the
// privilege-separation folder /run/sshd that sshd needs when run as root.
package sshtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/ops/config"
)

// ErrMissing is wrapped when sshd, ssh or ssh-keygen is not installed.
var ErrMissing = errors.New("openssh not installed (apt-get install -y openssh-server openssh-client)")

// Server is a running private sshd.
type Server struct {
	Dir          string // temp folder holding keys, configs, the pid file
	Port         int
	User         string
	ClientConfig string // for ssh -F: key, known_hosts, strict host key checking

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// Start generates keys and configs and starts sshd, waiting until it
// accepts connections.
func Start() (*Server, error) { return StartWith("") }

// StartWith is Start with extra sshd_config lines ("MaxSessions 1\n").
func StartWith(extraConfig string) (*Server, error) { return start(extraConfig, nil) }

// StartEnv is Start with variables ("PATH=/tmp/x/bin:/usr/bin:/bin") set
// in every session, over sshd's defaults: a command installed only in a
// test's folder, found on the remote PATH as on a real host. (sshd takes
// only its first SetEnv line, so they join the one below.)
func StartEnv(env ...string) (*Server, error) { return start("", env) }

func start(extraConfig string, env []string) (*Server, error) {
	sshd, err := findSSHD()
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(b); err != nil {
			return nil, fmt.Errorf("%s: %w", b, ErrMissing)
		}
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	if os.Getuid() == 0 {
		// sshd refuses to start as root without its privilege-separation folder.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return nil, err
		}
	}
	// A short folder: ssh control sockets are placed inside it and a
	// socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "rs-sshd-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, User: u.Username, log: &syncBuffer{}, done: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	for _, key := range []string{"host_ed25519", "id_ed25519"} {
		out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "richsops-test", "-f", filepath.Join(dir, key)).CombinedOutput()
		if err != nil {
			return fail(fmt.Errorf("ssh-keygen: %v: %s", err, out))
		}
	}
	if s.Port, err = freeport.Loopback(); err != nil {
		return fail(err)
	}
	userPub, err := os.ReadFile(filepath.Join(dir, "id_ed25519.pub"))
	if err != nil {
		return fail(err)
	}
	hostPub, err := os.ReadFile(filepath.Join(dir, "host_ed25519.pub"))
	if err != nil {
		return fail(err)
	}
	files := map[string]string{
		"authorized_keys": string(userPub),
		"known_hosts":     fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, hostPub),
		"sshd_config": fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 100
PrintMotd no
LogLevel INFO
# Debian's bash reads ~/.bashrc for commands run by sshd unless SHLVL says it
# is nested: keep the developer's rc files (pyenv init, ...) out of the
# timings. Quoting still goes through the login shell.
SetEnv SHLVL=1%s
%s`, s.Port, filepath.Join(dir, "host_ed25519"), filepath.Join(dir, "sshd.pid"), filepath.Join(dir, "authorized_keys"), setEnv(env), extraConfig),
		"ssh_config": fmt.Sprintf(`Host *
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  PasswordAuthentication no
  KbdInteractiveAuthentication no
`, s.User, filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "known_hosts")),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return fail(err)
		}
	}
	s.ClientConfig = filepath.Join(dir, "ssh_config")
	s.cmd = exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return fail(fmt.Errorf("start sshd: %w", err))
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-s.done:
			return fail(fmt.Errorf("sshd exited: %s", s.log.String()))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("sshd did not listen on %s within 15s: %s", s.Addr(), s.log.String())
		}
	}
}

// setEnv is env as more words of a SetEnv line, each quoted.
func setEnv(env []string) string {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, " %q", e)
	}
	return b.String()
}

func findSSHD() (string, error) {
	if p, err := exec.LookPath("sshd"); err == nil {
		return filepath.Abs(p) // sshd re-executes itself and wants an absolute path
	}
	for _, p := range []string{"/usr/sbin/sshd", "/usr/local/sbin/sshd"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("sshd: %w", ErrMissing)
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Entry is a [[hosts]] entry reaching this server.
func (s *Server) Entry(name string) config.HostEntry {
	return s.EntryPort(name, s.Port)
}

// EntryPort is Entry with another port (a closed or silent one for failure tests).
func (s *Server) EntryPort(name string, port int) config.HostEntry {
	return config.HostEntry{
		Name:    name,
		SSH:     s.User + "@127.0.0.1",
		Options: []string{"-F", s.ClientConfig, "-p", strconv.Itoa(port)},
	}
}

// TOML is e as a [[hosts]] table of a config file; roles is the TOML list's
// inside (`"db"`, or "").
func TOML(e config.HostEntry, roles string) string {
	opts := make([]string, len(e.Options))
	for i, o := range e.Options {
		opts[i] = fmt.Sprintf("%q", o)
	}
	return fmt.Sprintf("[[hosts]]\nname = %q\nssh = %q\noptions = [%s]\nroles = [%s]\n\n", e.Name, e.SSH, strings.Join(opts, ", "), roles)
}

// Log is what sshd wrote so far (for failure messages).
func (s *Server) Log() string { return s.log.String() }

// Stop ends sshd and removes its folder. Connections already open (shared
// connections of clients) live on until their clients close them.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(s.Dir)
}

// MissingOK says whether a test may skip for err: only when openssh is
// missing and env CI is unset (CI installs openssh-server).
func MissingOK(err error) bool {
	return errors.Is(err, ErrMissing) && strings.TrimSpace(os.Getenv("CI")) == ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Main is the TestMain of a package whose tests share one sshd: it starts
// it (a missing sshd is left in *err for the tests to skip on, or fail
// under CI), runs the tests, stops it and exits with their status.
func Main(m *testing.M, what string, srv **Server, err *error) {
	*srv, *err = Start()
	if *err != nil && !MissingOK(*err) {
		fmt.Fprintf(os.Stderr, "sshd for the %s tests: %v\n", what, *err)
		os.Exit(1)
	}
	code := m.Run()
	if *srv != nil {
		(*srv).Stop()
	}
	os.Exit(code)
}

// StartT is Start for one test: skipped when MissingOK, failed on any
// other error, stopped at the test's end.
func StartT(t testing.TB) *Server {
	t.Helper()
	return startT(t, nil)
}

// StartEnvT is StartEnv for one test, as StartT.
func StartEnvT(t testing.TB, env ...string) *Server {
	t.Helper()
	return startT(t, env)
}

func startT(t testing.TB, env []string) *Server {
	t.Helper()
	srv, err := start("", env)
	if err != nil {
		if MissingOK(err) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// ControlDir is a folder for ssh's shared-connection sockets, removed at
// the test's end: under the system temp folder, as a socket path must stay
// short (t.TempDir's is too long for it).
func ControlDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "cm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
