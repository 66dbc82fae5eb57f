package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// initProbeEnv makes this test binary, run as a child, exit as soon as the
// package inits are done (see TestMain): it then shows what merely starting
// a program that links Bubble Tea does to the terminal.
const initProbeEnv = "RICHSOPS_INIT_PROBE"

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

// Upstream Bubble Tea v1 asks the terminal for its background colour in its
// package init (OSC 11, then a cursor position report), so every headless
// command in a terminal waited for a round trip, and 5 s where nothing
// answers (script, expect, ssh -tt from a script). Our copy does not; the
// console asks in Run instead. Here the child's terminal never answers.
func TestStartingDoesNotQueryTheTerminal(t *testing.T) {
	master, slave := openPty(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{initProbeEnv + "=1", "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	// A session of its own with the pty as its controlling terminal, in the
	// foreground: what a login shell's command gets, and what termenv needs
	// before it will query.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO once the child and we close the slave
		close(read)
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the probe did not exit")
	}
	slave.Close()
	<-read
	got := out.String()
	if !strings.Contains(got, "inits done") {
		t.Fatalf("probe output %q: want %q", got, "inits done")
	}
	for _, query := range []string{"\x1b]11;?", "\x1b[6n"} {
		if strings.Contains(got, query) {
			t.Errorf("starting wrote the terminal query %q: %q", query, got)
		}
	}
}
