package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/testbin"
)

// buildRichsops builds the program as make build does, from the repository
// root, into a folder of its own.
func buildRichsops(t *testing.T) string {
	return testbin.Build(t, ".", filepath.Join(t.TempDir(), "richsops"))
}

// sandbox writes a config whose audit log and one log are in a temporary
// folder; it returns the config's path and the log's.
func sandbox(t *testing.T) (cfg, logf string) {
	dir := t.TempDir()
	cfg, logf = filepath.Join(dir, "config.toml"), filepath.Join(dir, "app.log")
	if err := os.WriteFile(cfg, []byte("audit_log = \""+filepath.Join(dir, "audit.jsonl")+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logf, []byte("one\ntwo\nthree\x1b[31m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, logf
}

// The one binary has every command: each answers --help with its own
// usage, help lists them all, and tail and version run in it.
func TestOneBinaryRunsEveryCommand(t *testing.T) {
	bin := buildRichsops(t)
	cmds := cli.Commands()
	if len(cmds) < 10 {
		t.Fatalf("only %d commands registered: a subcommand package is not imported by main.go", len(cmds))
	}
	help, _, code := testbin.Run(t, bin, nil, "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, c := range cmds {
		want := "richsops " + c.Name + ": "
		if c.Name == "tui" {
			want = help // the console is what richsops with no command runs
		}
		stdout, stderr, code := testbin.Run(t, bin, nil, c.Name, "--help")
		if code != 0 || !strings.HasPrefix(stdout, want) {
			t.Errorf("richsops %s --help: exit %d, stdout %q, stderr %q", c.Name, code, stdout, stderr)
		}
		if !strings.HasPrefix(c.Summary, "(internal)") && !strings.Contains(help, "\n  "+c.Name+" ") {
			t.Errorf("help does not list %s:\n%s", c.Name, help)
		}
	}
	cfg, logf := sandbox(t)
	for _, tt := range []struct {
		args   []string
		stdout string
	}{
		{[]string{"--config", cfg, "tail", "-n", "2", logf}, "two\nthree\\x1b[31m\n"},
		{[]string{"version"}, "richsops dev\n"},
	} {
		if stdout, stderr, code := testbin.Run(t, bin, nil, tt.args...); stdout != tt.stdout || code != 0 || stderr != "" {
			t.Errorf("richsops %q: stdout %q exit %d stderr %q, want %q exit 0", tt.args, stdout, code, stderr, tt.stdout)
		}
	}
	if _, stderr, code := testbin.Run(t, bin, nil, "no-such-command"); code != cli.ExitUsage || !strings.Contains(stderr, `unknown command "no-such-command"`) {
		t.Errorf("an unknown command: exit %d, stderr %q", code, stderr)
	}
}

// openPty returns a new pseudo-terminal's master and slave.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// Bubble Tea v1 asked the terminal for its background colour in its package
// init (OSC 11, then a cursor position report), so every headless command in
// a terminal waited for a round trip, and 5 s where nothing answers (script,
// expect, ssh -tt from a script). Only the console may ask. Here the
// command's terminal never answers: `richsops jobs list` must return at
// once and write no query.
func TestHeadlessCommandsNeverQueryTheTerminal(t *testing.T) {
	bin := buildRichsops(t)
	cfg, logf := sandbox(t)
	for _, args := range [][]string{{"--config", cfg, "jobs", "list"}, {"--config", cfg, "tail", "-n", "1", logf}, {"version"}} {
		master, slave := openPty(t)
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"TERM=xterm-256color", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		// A session of its own with the pty as its controlling terminal, in
		// the foreground: what a login shell's command gets.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		read := make(chan struct{})
		go func() {
			io.Copy(&out, master) // ends with EIO once the child and we close the slave
			close(read)
		}()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("richsops %q did not exit", args)
		}
		// Well under the 5 s a query that gets no answer waits.
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("richsops %q took %v on a terminal that never answers", args, took)
		}
		slave.Close()
		<-read
		for _, query := range []string{"\x1b]11;?", "\x1b[6n", "\x1b[c", "\x1b[?u"} {
			if strings.Contains(out.String(), query) {
				t.Errorf("richsops %q wrote the terminal query %q: %q", args, query, out.String())
			}
		}
		if out.Len() == 0 {
			t.Errorf("richsops %q wrote nothing at all", args)
		}
	}
}

// The product links neither the demo sandbox, its command nor any test
// harness: they live under internal/demo, cmd/richsops-demo and
// internal/testenv, and nothing the binary imports may reach them.
func TestProductLeavesOutDemoAndHarnesses(t *testing.T) {
	out, err := exec.Command(testbin.Go(t), "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	const mod = "github.com/richs/richsops/"
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, mod+"cli/tuicmd") {
		t.Fatalf("go list -deps . does not list the console; the check would prove nothing:\n%s", out)
	}
	for _, p := range deps {
		for _, bad := range []string{"internal/demo", "internal/testenv", "cmd/richsops-demo"} {
			if p == mod+bad || strings.HasPrefix(p, mod+bad+"/") {
				t.Errorf("the product links %s", p)
			}
		}
	}
}
