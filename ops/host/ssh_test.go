package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
)

// One private sshd for the whole package, on a free loopback port.
var (
	sshd    *sshtest.Server
	sshdErr error
)

func TestMain(m *testing.M) { sshtest.Main(m, "SSH host", &sshd, &sshdErr) }

// newTestSSH is an SSH host on the test sshd with its own shared
// connection (a private control folder), closed when the test ends.
func newTestSSH(t testing.TB, sc SSHConfig) *SSH {
	t.Helper()
	if sshdErr != nil {
		t.Skip("no sshd: ", sshdErr)
	}
	return newTestSSHEntry(t, sc, sshd.Port)
}

func newTestSSHEntry(t testing.TB, sc SSHConfig, port int) *SSH {
	t.Helper()
	if sshdErr != nil {
		t.Skip("no sshd: ", sshdErr)
	}
	if sc.ControlDir == "" && !sc.NoControlMaster {
		d, err := os.MkdirTemp(sshd.Dir, "cm")
		if err != nil {
			t.Fatal(err)
		}
		sc.ControlDir = d
	}
	if sc.ControlPersist == 0 {
		sc.ControlPersist = 20 * time.Second
	}
	h, err := NewSSH(sshd.EntryPort("test", port), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return h
}

// bothHosts runs f against Local and against the SSH host: the remote side
// is this same machine, so both must give the same answers.
func bothHosts(t *testing.T, f func(t *testing.T, h Host)) {
	t.Run("local", func(t *testing.T) { f(t, NewLocal()) })
	t.Run("ssh", func(t *testing.T) { f(t, newTestSSH(t, SSHConfig{})) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// hostileWords are arguments and file names that a careless remote shell
// would split, expand or execute. pwned is a marker that must never appear.
func hostileWords(pwned string) []string {
	return []string{
		"a b", "it's", `say "hi"`, "$(touch " + pwned + ")", "`touch " + pwned + "`",
		"; touch " + pwned, "&& touch " + pwned, "| touch " + pwned, "x\ntouch " + pwned,
		"' ; touch " + pwned + " ; '", `"; touch ` + pwned + `; "`, "$HOME", "~", "*", "?", "[a]",
		"-n", "--", "-rf", "--help", "", " ", "\t", "\\", "\\'", "!!", "#comment", "a=b",
		"日本語 ファイル", "\x01\x1b[31m", "%s%n", "{a,b}", ">out", "<in", "2>&1",
	}
}

func TestSSHHostileArgsArriveUnchanged(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	pwned := filepath.Join(t.TempDir(), "pwned")
	words := hostileWords(pwned)
	res, err := h.Run(ctx(t), Cmd{Argv: append([]string{"printf", `%s\0`}, words...)})
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, res.Stderr)
	}
	got := strings.Split(strings.TrimSuffix(string(res.Stdout), "\x00"), "\x00")
	if len(got) != len(words) {
		t.Fatalf("got %d words, want %d: %q", len(got), len(words), got)
	}
	for i := range words {
		if got[i] != words[i] {
			t.Errorf("word %d: got %q, want %q", i, got[i], words[i])
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a hostile argument was executed by the remote shell")
	}
}

func TestSSHRunDirAndEnv(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	base := t.TempDir()
	pwned := filepath.Join(base, "pwned")
	dir := filepath.Join(base, "d $(touch rs-pwned) ';`touch rs-pwned`\nz")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	val := "v $(touch " + pwned + ") 'q' \"d\"\n; x=`y`"
	res, err := h.Run(ctx(t), Cmd{
		Argv: []string{"sh", "-c", `pwd; printf '%s' "$RS_VAL"`},
		Dir:  dir,
		Env:  map[string]string{"RS_VAL": val},
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if want := dir + "\n" + val; string(res.Stdout) != want {
		t.Errorf("got %q, want %q", res.Stdout, want)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a hostile value was executed")
	}
	checkNotPwned(t, base)
	checkNotPwned(t, dir)
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}, Env: map[string]string{"A;touch x": "1"}}); err == nil {
		t.Error("an invalid variable name was accepted")
	}
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}, Dir: filepath.Join(base, "missing")}); err == nil {
		t.Error("a missing folder was accepted")
	}
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"echo", "a\x00b"}}); err == nil {
		t.Error("a NUL byte in an argument was accepted")
	}
}

func TestSSHRunStdinAndExit(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	data := bytes.Repeat([]byte("bin\x00ary\xff\n"), 100_000)
	res, err := h.Run(ctx(t), Cmd{Argv: []string{"cat"}, Stdin: bytes.NewReader(data)})
	if err != nil || !bytes.Equal(res.Stdout, data) {
		t.Fatalf("cat of stdin: err %v, %d bytes back of %d", err, len(res.Stdout), len(data))
	}
	for _, code := range []int{1, 3, 255} {
		res, err = h.Run(ctx(t), Cmd{Argv: []string{"sh", "-c", fmt.Sprintf("echo oops >&2; exit %d", code)}})
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != code || res.ExitCode != code {
			t.Fatalf("exit %d: got %T %v (exit %d)", code, err, err, res.ExitCode)
		}
		if errors.Is(err, ErrUnreachable) {
			t.Errorf("exit %d of the remote command taken for a connection failure", code)
		}
		if ee.Argv[0] != "sh" || string(res.Stderr) != "oops\n" {
			t.Errorf("exit %d: argv %q, stderr %q", code, ee.Argv, res.Stderr)
		}
	}
	_, err = h.Run(ctx(t), Cmd{Argv: []string{"richsops-no-such-command"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 127 {
		t.Errorf("missing command: %v", err)
	}
}

// lineWatcher records a stream and signals when want first shows up.
type lineWatcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return len(p), nil
}

func TestSSHRunStreamsStdout(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	flag := filepath.Join(t.TempDir(), "go on")
	seen := make(chan struct{})
	w := &lineWatcher{want: "first\n", seen: seen}
	done := make(chan error, 1)
	go func() {
		// "second" comes only after the test saw "first": it must arrive
		// while the command still runs, not at its end.
		_, err := h.Run(context.Background(), Cmd{
			Argv:    []string{"sh", "-c", `echo first; while [ ! -e "$1" ]; do sleep 0.05; done; echo second`, "sh", flag},
			Stdout:  w,
			Timeout: time.Minute,
		})
		done <- err
	}()
	select {
	case <-seen:
	case err := <-done:
		t.Fatalf("ended before streaming: %v", err)
	case <-time.After(45 * time.Second):
		t.Fatal("no streamed output")
	}
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := w.buf.String(); got != "first\nsecond\n" {
		t.Errorf("stream %q", got)
	}
}

func TestSSHRunTimeoutKillsSSH(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	start := time.Now()
	_, err := h.Run(ctx(t), Cmd{Argv: []string{"sleep", "20"}, Timeout: time.Second})
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want a timeout of the remote command", err)
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("returned after %s", el)
	}
	c, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	if _, err := h.Run(c, Cmd{Argv: []string{"sleep", "20"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: got %v", err)
	}
}

// remoteProcess reports whether a process with tag in its command line runs
// (the "remote" host is this machine).
func remoteProcess(tag string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(tag)) {
			return true
		}
	}
	return false
}

func TestSSHTimeoutStopsQuietRemoteCommand(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	tag := fmt.Sprintf("rs-quiet-%d", time.Now().UnixNano())
	_, err := h.Run(ctx(t), Cmd{Argv: []string{"sh", "-c", "sleep 60", tag}, Timeout: time.Second})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	// It prints nothing, so only the remote timeout can end it.
	deadline := time.Now().Add(45 * time.Second)
	for remoteProcess(tag) {
		if time.Now().After(deadline) {
			t.Fatal("the remote command outlived its timeout by 45s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSSHConcurrentCommands(t *testing.T) {
	h := newTestSSH(t, SSHConfig{MaxMuxSessions: 4})
	// More than the shared sessions: the rest get their own connection.
	parallel(t, 12, func(i int) error {
		res, err := h.Run(ctx(t), Cmd{Argv: []string{"echo", fmt.Sprint(i)}})
		if err == nil && string(res.Stdout) != fmt.Sprintf("%d\n", i) {
			err = fmt.Errorf("got %q", res.Stdout)
		}
		return err
	})
}

// parallel runs f(0), ..., f(n-1) at once and reports every error.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(i) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestSSHBeyondSSHDMaxSessions(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	// Another richsops process may use the same shared connection, so sshd's
	// MaxSessions can be reached whatever this process counts: ssh then
	// falls back to a connection of its own, and the command's stderr stays clean.
	srv, err := sshtest.StartWith("MaxSessions 1\n")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	d, err := os.MkdirTemp(srv.Dir, "cm")
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewSSH(srv.Entry("tight"), SSHConfig{ControlDir: d})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := h.Run(ctx(t), Cmd{Argv: []string{"sh", "-c", "sleep 0.5; echo done"}})
			if err != nil || string(res.Stdout) != "done\n" || len(res.Stderr) != 0 {
				t.Errorf("got %q, stderr %q, %v", res.Stdout, res.Stderr, err)
			}
		}()
	}
	wg.Wait()
}

func TestSSHRefusedConnection(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	port := freeport.For(t) // nothing listens there
	for _, mux := range []bool{true, false} {
		h := newTestSSHEntry(t, SSHConfig{NoControlMaster: !mux}, port)
		start := time.Now()
		res, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}, Timeout: 30 * time.Second})
		var ce *ConnectError
		if !errors.As(err, &ce) || !errors.Is(err, ErrUnreachable) || res.ExitCode != -1 {
			t.Fatalf("mux=%v: got %T %v", mux, err, err)
		}
		if !strings.Contains(err.Error(), "Connection refused") || !strings.Contains(err.Error(), "cannot connect") {
			t.Errorf("unclear error: %v", err)
		}
		if el := time.Since(start); el > 20*time.Second {
			t.Errorf("refusal took %s", el)
		}
		if _, err := h.ReadFile(ctx(t), "/etc/hostname"); !errors.Is(err, ErrUnreachable) {
			t.Errorf("ReadFile: %v", err)
		}
	}
}

// silentListener accepts connections and never says a word, like a host
// whose sshd hangs or a firewall that swallows the banner.
func silentListener(t *testing.T) int { return freeport.Silent(t).Port }

func TestSSHSilentHostTimesOut(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	port := silentListener(t)
	// ssh's own ConnectTimeout (which covers the banner exchange) fires first.
	h := newTestSSHEntry(t, SSHConfig{ConnectTimeout: 2 * time.Second}, port)
	start := time.Now()
	_, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}, Timeout: 40 * time.Second})
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("got %T %v, want a connect time-out", err, err)
	}
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("took %s with a 2s connect timeout", el)
	}
	// The command's timeout, shorter than ConnectTimeout, kills ssh.
	h = newTestSSHEntry(t, SSHConfig{ConnectTimeout: 30 * time.Second, NoControlMaster: true}, port)
	start = time.Now()
	_, err = h.Run(ctx(t), Cmd{Argv: []string{"true"}, Timeout: time.Second})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("got %v, want unreachable and timed out", err)
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("took %s with a 1s timeout", el)
	}
}

func TestSSHUnknownHostKey(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	e := sshd.Entry("stranger")
	// Options come before richsops' and before the -F file: this one wins.
	e.Options = append([]string{"-o", "UserKnownHostsFile=/dev/null"}, e.Options...)
	h, err := NewSSH(e, SSHConfig{NoControlMaster: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Run(ctx(t), Cmd{Argv: []string{"true"}})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "Host key verification failed") {
		t.Fatalf("got %v", err)
	}
}

func TestSSHCloseEndsSharedConnection(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if !h.MasterRunning(ctx(t)) {
		t.Fatal("no shared connection after a command")
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if h.MasterRunning(ctx(t)) {
		t.Fatal("shared connection still open after Close")
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}}); err != nil {
		t.Fatalf("run after Close: %v", err)
	}
	plain := newTestSSH(t, SSHConfig{NoControlMaster: true})
	if _, err := plain.Run(ctx(t), Cmd{Argv: []string{"true"}}); err != nil || plain.MasterRunning(ctx(t)) || plain.Multiplexed() {
		t.Fatalf("without ControlMaster: %v", err)
	}
}

// hostileNames are file names for the file operations; they are created in
// a temp folder. The pwned marker would land in the remote's working folder
// (the home folder) or the temp folder.
func hostileNames() []string {
	return []string{
		"plain.txt", "a b", "it's", `q"uote`, "$(touch rs-pwned)", "`touch rs-pwned`",
		"; touch rs-pwned", "new\nline", "-rf", "--help", "日本語.log", "*", "\\x",
	}
}

func checkNotPwned(t *testing.T, dir string) {
	t.Helper()
	home := "/"
	if u, err := user.Current(); err == nil {
		home = u.HomeDir
	}
	for _, d := range []string{dir, home} {
		if _, err := os.Lstat(filepath.Join(d, "rs-pwned")); err == nil {
			os.Remove(filepath.Join(d, "rs-pwned"))
			t.Fatalf("a hostile file name was executed (marker in %s)", d)
		}
	}
}

func TestHostReadFile(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		for i, name := range hostileNames() {
			p := filepath.Join(dir, name)
			data := []byte(fmt.Sprintf("content %d of %q\x00\xff\n", i, name))
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := h.ReadFile(ctx(t), p)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%q: got %q, %v", name, got, err)
			}
		}
		checkNotPwned(t, dir)
		_, err := h.ReadFile(ctx(t), filepath.Join(dir, "missing"))
		if !errors.Is(err, fs.ErrNotExist) || !os.IsNotExist(err) {
			t.Errorf("missing file: %v", err)
		}
		if _, err := h.ReadFile(ctx(t), dir); err == nil {
			t.Error("reading a folder gave no error")
		}
		empty := filepath.Join(dir, "empty")
		os.WriteFile(empty, nil, 0o644)
		if got, err := h.ReadFile(ctx(t), empty); err != nil || len(got) != 0 {
			t.Errorf("empty file: %q %v", got, err)
		}
	})
}

// fixture makes a folder with hostile names, a subfolder, a symlink and
// special modes, the same for both hosts.
func fixture(t *testing.T) string {
	dir := t.TempDir()
	for i, name := range hostileNames() {
		if err := os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte("x"), i*100), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "sub dir"), 0o2750)
	os.Symlink("sub dir", filepath.Join(dir, "link"))
	os.Chmod(filepath.Join(dir, "plain.txt"), 0o4755)
	old := time.Date(2020, 1, 2, 3, 4, 5, 123456789, time.UTC)
	os.Chtimes(filepath.Join(dir, "a b"), old, old)
	return dir
}

func sameInfo(a, b FileInfo) bool {
	return a.Name == b.Name && a.Size == b.Size && a.Mode == b.Mode && a.ModTime.Equal(b.ModTime) &&
		a.UID == b.UID && a.GID == b.GID && a.IsDir == b.IsDir && a.Dev == b.Dev && a.Ino == b.Ino
}

func TestSSHStatAndReadDirMatchLocal(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	local := NewLocal()
	dir := fixture(t)
	want, err := local.ReadDir(ctx(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.ReadDir(ctx(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !sameInfo(got[i], want[i]) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	for _, name := range append(hostileNames(), "sub dir", "link") {
		p := filepath.Join(dir, name)
		w, _ := local.Stat(ctx(t), p)
		g, err := h.Stat(ctx(t), p)
		if err != nil || !sameInfo(g, w) {
			t.Errorf("stat %q:\n got %+v %v\nwant %+v", name, g, err, w)
		}
	}
	checkNotPwned(t, dir)
	if _, err := h.Stat(ctx(t), filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("stat of a missing file: %v", err)
	}
	if _, err := h.ReadDir(ctx(t), filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("readdir of a missing folder: %v", err)
	}
	if _, err := h.ReadDir(ctx(t), filepath.Join(dir, "plain.txt")); err == nil {
		t.Error("readdir of a file gave no error")
	}
	// A symlink to a folder is followed when listed, like os.ReadDir.
	if ents, err := h.ReadDir(ctx(t), filepath.Join(dir, "link")); err != nil || len(ents) != 0 {
		t.Errorf("readdir through a symlink: %v %v", ents, err)
	}
	root, err := h.Stat(ctx(t), "/")
	if err != nil || !root.IsDir || root.Name != "/" {
		t.Errorf("stat /: %+v %v", root, err)
	}
}

func checkFile(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatalf("%q: %v", p, err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != content || fi.Mode() != mode {
		t.Fatalf("%q: content %q mode %v, want %q %v", p, got, fi.Mode(), content, mode)
	}
}

func TestHostRemove(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := fixture(t)
		for _, name := range append(hostileNames(), "link") {
			p := filepath.Join(dir, name)
			if err := h.Remove(ctx(t), p); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Fatalf("%q still there", name)
			}
		}
		checkNotPwned(t, dir)
		if _, err := os.Stat(filepath.Join(dir, "sub dir")); err != nil {
			t.Fatal("removing the symlink hit its target")
		}
		err := h.Remove(ctx(t), filepath.Join(dir, "sub dir"))
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("removing a folder: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "sub dir")); err != nil {
			t.Error("the folder was removed")
		}
		if err := h.Remove(ctx(t), filepath.Join(dir, "missing")); !os.IsNotExist(err) {
			t.Errorf("removing a missing file: %v", err)
		}
	})
}

func TestSSHDiskMatchesLocal(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	dir := t.TempDir()
	for _, p := range []string{dir, "/", "/proc"} {
		want, err := NewLocal().Disk(ctx(t), p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.Disk(ctx(t), p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		// Used and Free move as other processes write; Total and the mount do not.
		if got.Path != p || got.Mount != want.Mount || got.Total != want.Total {
			t.Errorf("%s:\n got %+v\nwant %+v", p, got, want)
		}
	}
	if _, err := h.Disk(ctx(t), filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("disk of a missing path: %v", err)
	}
}

func TestRemoteCommand(t *testing.T) {
	cases := []struct {
		c    Cmd
		want string
	}{
		{Cmd{Argv: []string{"ls", "-l", "a b"}}, "exec ls -l 'a b'"},
		{Cmd{Argv: []string{"-weird", "x"}}, "-weird x"},
		{Cmd{Argv: []string{"pwd"}, Dir: "-d"}, "cd ./-d || exit 1; exec pwd"},
		{Cmd{Argv: []string{"env"}, Env: map[string]string{"B": "2", "A": "$x"}}, "export A='$x'; export B=2; exec env"},
	}
	for _, c := range cases {
		c.c.Timeout = -1
		got, err := remoteCommand(c.c)
		if err != nil || !strings.HasSuffix(got, c.want) || !strings.HasPrefix(got, `printf '\037richsops-remote\n' >&2; `) {
			t.Errorf("%q: got %q, %v; want suffix %q", c.c.Argv, got, err, c.want)
		}
	}
	got, _ := remoteCommand(Cmd{Argv: []string{"-x", "a b"}, Timeout: 1500 * time.Millisecond})
	if want := "if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 4 -x 'a b'; fi; -x 'a b'"; !strings.HasSuffix(got, want) {
		t.Errorf("with a timeout: got %q, want suffix %q", got, want)
	}
	for _, bad := range []Cmd{{}, {Argv: []string{"a\x00"}}, {Argv: []string{"x"}, Env: map[string]string{"1A": "x"}}, {Argv: []string{"x"}, Env: map[string]string{"A": "\x00"}}, {Argv: []string{"x"}, Dir: "a\x00"}} {
		if _, err := remoteCommand(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestPlainPath(t *testing.T) {
	for in, want := range map[string]string{"/a": "/a", "-rf": "./-rf", "a": "./a", "./a": "./a", "../a": "../a", "(": "./(", "!": "./!"} {
		if got := plainPath(in); got != want {
			t.Errorf("plainPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewSSHChecks(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	e := sshd.Entry("x")
	for _, dest := range []string{"", "-oProxyCommand=touch x", "root@a b", "a\nb"} {
		bad := e
		bad.SSH = dest
		if _, err := NewSSH(bad, SSHConfig{NoControlMaster: true}); err == nil {
			t.Errorf("destination %q accepted", dest)
		}
	}
	bad := e
	bad.Options = []string{"-oProxyCommand=x", "-N"}
	if _, err := NewSSH(bad, SSHConfig{NoControlMaster: true}); err == nil {
		t.Error("-N accepted")
	}
	base := t.TempDir()
	// A control folder others can write to is made private.
	open := filepath.Join(base, "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if _, err := NewSSH(e, SSHConfig{ControlDir: open}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o700 {
		t.Errorf("control folder mode %v", fi.Mode())
	}
	// A symlink in its place is refused.
	os.Symlink(open, filepath.Join(base, "link"))
	if _, err := NewSSH(e, SSHConfig{ControlDir: filepath.Join(base, "link")}); err == nil {
		t.Error("symlinked control folder accepted")
	}
	// Someone else's folder is refused.
	if os.Getuid() == 0 {
		theirs := filepath.Join(base, "theirs")
		os.Mkdir(theirs, 0o700)
		os.Chown(theirs, 1234, 1234)
		if _, err := NewSSH(e, SSHConfig{ControlDir: theirs}); err == nil || !strings.Contains(err.Error(), "owned by") {
			t.Errorf("foreign control folder: %v", err)
		}
	}
	if _, err := NewSSH(e, SSHConfig{ControlDir: "/tmp/" + strings.Repeat("x", 80)}); err == nil {
		t.Error("too long a control folder accepted")
	}
}

func TestParseDF(t *testing.T) {
	out := "Filesystem     1-blocks       Used  Available Capacity Mounted on\n" +
		"/dev/sda1  105088212992 4096 9999 1% /var/lib/my sql\n"
	d, err := parseDF([]byte(out))
	if err != nil || d.Total != 105088212992 || d.Used != 4096 || d.Free != 9999 || d.Mount != "/var/lib/my sql" {
		t.Fatalf("%+v %v", d, err)
	}
	odd := "Filesystem 1-blocks Used Available Capacity Mounted on\nmy fs 1 2 3 - /\n"
	if d, err := parseDF([]byte(odd)); err != nil || d.Mount != "/" || d.Total != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	for _, bad := range []string{"", "header only\n", "h\nfs x y z 1% /\n"} {
		if _, err := parseDF([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseFindStat(t *testing.T) {
	out := "f 4755 12 1700000000.5 0 0 65024 77 a b\nc\x00d 2750 4096 1700000001 1 2 1 2 sub\x00l 777 7 1700000002.0000000001 0 0 3 4 link\x00"
	fis, err := parseFindStat([]byte(out))
	if err != nil || len(fis) != 3 {
		t.Fatalf("%+v %v", fis, err)
	}
	if f := fis[0]; f.Name != "a b\nc" || f.Mode != 0o755|os.ModeSetuid || f.Size != 12 || f.ModTime != time.Unix(1700000000, 500000000) || f.Dev != 65024 || f.Ino != 77 {
		t.Errorf("%+v", f)
	}
	if f := fis[1]; !f.IsDir || f.Mode != os.ModeDir|os.ModeSetgid|0o750 || f.UID != 1 || f.GID != 2 {
		t.Errorf("%+v", f)
	}
	if f := fis[2]; f.Mode&os.ModeSymlink == 0 || f.ModTime.Nanosecond() != 0 {
		t.Errorf("%+v", f)
	}
	for _, bad := range []string{"f 1 2 3\x00", "x 9 1 1 0 0 1 1 n\x00", "ff 644 1 1 0 0 1 1 n\x00", "f 644 -1x 1 0 0 1 1 n\x00", "f 644 1 1 0 0 x 1 n\x00", "f 644 1 1 0 0 1 -1 n\x00", "f 644 1 1 0 0 n\x00"} {
		if _, err := parseFindStat([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseDF(f *testing.F) {
	f.Add([]byte("Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/sda1 100 50 50 50% /\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseDF(b)
		if err == nil && (d.Mount == "" || d.Mount[0] == ' ') {
			t.Fatalf("parsed without a mount: %+v", d)
		}
	})
}

func FuzzParseFindStat(f *testing.F) {
	f.Add([]byte("f 644 12 1700000000.5 0 0 1 2 name\x00d 755 4096 1 0 0 1 3 sub\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fis, err := parseFindStat(b)
		if err != nil {
			return
		}
		for _, fi := range fis {
			if fi.IsDir != fi.Mode.IsDir() {
				t.Fatalf("IsDir disagrees with Mode: %+v", fi)
			}
		}
	})
}

func TestProbeHost(t *testing.T) {
	h := newTestSSH(t, SSHConfig{})
	p := ProbeHost(ctx(t), h, 30*time.Second)
	if !p.Reachable || p.Err != nil || p.Connect <= 0 || p.RTT <= 0 {
		t.Errorf("reachable host: %+v", p)
	}
	if p := ProbeHost(ctx(t), NewLocal(), 30*time.Second); !p.Reachable || p.Err != nil {
		t.Errorf("local: %+v", p)
	}
	port := freeport.For(t)
	down := newTestSSHEntry(t, SSHConfig{}, port)
	if p := ProbeHost(ctx(t), down, 30*time.Second); p.Reachable || !errors.Is(p.Err, ErrUnreachable) {
		t.Errorf("closed port: %+v", p)
	}
	silent := newTestSSHEntry(t, SSHConfig{}, silentListener(t))
	start := time.Now()
	if p := ProbeHost(ctx(t), silent, time.Second); p.Reachable || !errors.Is(p.Err, ErrTimeout) {
		t.Errorf("silent host: %+v", p)
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("probe of a silent host took %s with a 1s timeout", el)
	}
}

func TestRegistryBuildsAndClosesSSHHosts(t *testing.T) {
	if sshdErr != nil {
		t.Skip(sshdErr)
	}
	dir, err := os.MkdirTemp(sshd.Dir, "reg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Hosts = []config.HostEntry{sshd.Entry("db1")}
	r := NewRegistry(cfg)
	r.NewRemote = func(e config.HostEntry) (Host, error) { return NewSSH(e, SSHConfig{ControlDir: dir}) }
	h, err := r.Get("db1")
	if err != nil {
		t.Fatal(err)
	}
	if h.Name() != "db1" || h.IsLocal() {
		t.Fatalf("got %s local=%v", h.Name(), h.IsLocal())
	}
	if _, err := h.Run(ctx(t), Cmd{Argv: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if !h.(*SSH).MasterRunning(ctx(t)) {
		t.Fatal("no shared connection")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if h.(*SSH).MasterRunning(ctx(t)) {
		t.Error("Registry.Close left the shared connection open")
	}
}
