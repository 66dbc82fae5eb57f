package tailcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/logtail"
)

// syncBuffer is stdout shared with the follower goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(t *testing.T, logs ...config.Log) (*cli.Env, *syncBuffer, *syncBuffer) {
	cfg := config.Default()
	cfg.Logs = logs
	cfg.LogView.MaxLineBytes = 100
	env := cli.NewEnv(cli.Globals{}, cfg)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	env.Stdout, env.Stderr = out, errOut
	return env, out, errOut
}

func TestTailLastLinesSanitizedAndCut(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	long := strings.Repeat("x", 150)
	os.WriteFile(p, []byte("one\ntwo \x1b]0;t\x07\n"+long+"\n日本語\npartial"), 0o644)
	env, out, _ := testEnv(t, config.Log{Name: "app", Path: p})
	for _, arg := range []string{p, "app"} { // FILE and configured NAME
		out.mu.Lock()
		out.b.Reset()
		out.mu.Unlock()
		if err := run(env, []string{"-n", "4", arg}); err != nil {
			t.Fatal(err)
		}
		want := `two \x1b]0;t\x07` + "\n" + strings.Repeat("x", 100) + logtail.CutMark + "\n日本語\npartial" // no newline added, as GNU tail
		if out.String() != want {
			t.Errorf("tail -n 4 %s =\n%q\nwant\n%q", arg, out.String(), want)
		}
	}
}

// A last line without newline over the cap: its start, marked, and no
// newline added.
func TestTailPartialLongLastLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(p, []byte("one\n"+strings.Repeat("x", 150)), 0o644)
	env, out, _ := testEnv(t)
	if err := run(env, []string{"-n", "2", p}); err != nil {
		t.Fatal(err)
	}
	if want := "one\n" + strings.Repeat("x", 100) + logtail.CutMark; out.String() != want {
		t.Errorf("tail -n 2 = %q, want %q", out.String(), want)
	}
}

func TestTailUsage(t *testing.T) {
	env, _, _ := testEnv(t)
	for _, args := range [][]string{nil, {"-n", "x", "f"}, {"a", "b"}, {"-n", "-1", "f"}} {
		var ue cli.UsageError
		if err := run(env, args); !errors.As(err, &ue) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestTailFollowThroughRotation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	os.WriteFile(p, []byte("old\n"), 0o644)
	env, out, errOut := testEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	baseContext = func() context.Context { return ctx }
	defer func() { baseContext = context.Background }()
	done := make(chan error, 1)
	go func() { done <- run(env, []string{"-n", "1", "-F", p}) }()
	waitFor(t, func() bool { return out.String() == "old\n" })
	os.Rename(p, p+".1")
	os.WriteFile(p, []byte("new\n"), 0o644)
	waitFor(t, func() bool { return out.String() == "old\nnew\n" })
	waitFor(t, func() bool { return strings.Contains(errOut.String(), "rotated") })
	// Clean lines go out as read; others are escaped and cut as ever.
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("plain 1\nplain 2\n")
	f.Sync()
	waitFor(t, func() bool { return strings.HasSuffix(out.String(), "plain 2\n") })
	f.WriteString("esc \x1b[1m\n" + strings.Repeat("y", 150) + "\nplain 3\n")
	f.Close()
	want := "old\nnew\nplain 1\nplain 2\nesc \\x1b[1m\n" + strings.Repeat("y", 100) + logtail.CutMark + "\nplain 3\n"
	waitFor(t, func() bool { return out.String() == want })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ctrl+c should end tail -F cleanly, got %v", err)
	}
}

func TestTailRemoteHostRunsTail(t *testing.T) {
	// A [[logs]] entry with a host is read with tail on that host, here
	// this machine over a private sshd; a pattern picks the newest file
	// there.
	srv := sshtest.StartT(t)
	h, err := host.NewSSH(srv.Entry("db1"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	dir := t.TempDir()
	p := filepath.Join(dir, "r.log")
	os.WriteFile(p, []byte("a\nb\x07\n"), 0o644)
	env, out, _ := testEnv(t, config.Log{Name: "remote", Path: p, Host: "db1"}, config.Log{Name: "rotated", Path: filepath.Join(dir, "r*.log"), Host: "db1"})
	env.Hosts.Set("db1", h)
	if err := run(env, []string{"-n", "1", "remote"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != `b\x07`+"\n" {
		t.Errorf("remote tail = %q", out.String())
	}
	reset := func() {
		out.mu.Lock()
		out.b.Reset()
		out.mu.Unlock()
	}
	// A last line without newline, as GNU tail prints it there.
	os.WriteFile(p, []byte("a\nb\x07\npart"), 0o644)
	reset()
	if err := run(env, []string{"-n", "2", "remote"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != `b\x07`+"\npart" {
		t.Errorf("remote tail of a last line without newline = %q", out.String())
	}
	// The pattern is expanded on the host, not handed to tail as it is.
	os.Chtimes(p, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
	os.WriteFile(filepath.Join(dir, "r2.log"), []byte("newest\n"), 0o644)
	reset()
	if err := run(env, []string{"-n", "1", "rotated"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "newest\n" {
		t.Errorf("remote tail of a pattern = %q", out.String())
	}
}

// gnuTail runs GNU tail with args, its output into a buffer.
func gnuTail(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	if _, err := exec.LookPath("tail"); err != nil {
		t.Skip("GNU tail missing")
	}
	out := &syncBuffer{}
	cmd := exec.Command("tail", args...)
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// TestTailMatchesGNUTail: on clean text, tail -n and tail -F print what GNU
// tail prints, byte for byte, also a last line without newline (shown as
// written, and its rest when it comes) and the lines before a 5 MB line.
func TestTailMatchesGNUTail(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		b.WriteString("2026-12-01 03:00 line " + strings.Repeat("v", i%13) + "\n")
	}
	os.WriteFile(p, []byte(b.String()+"part"), 0o644)
	env, out, _ := testEnv(t)
	env.Cfg.LogView.MaxLineBytes = 0 // the default cap
	for _, n := range []string{"1", "3", "60", "500"} {
		out.mu.Lock()
		out.b.Reset()
		out.mu.Unlock()
		if err := run(env, []string{"-n", n, p}); err != nil {
			t.Fatal(err)
		}
		gnu, err := exec.Command("tail", "-n", n, p).Output()
		if err != nil {
			t.Skip("GNU tail: ", err)
		}
		if out.String() != string(gnu) {
			t.Errorf("tail -n %s = %q, GNU tail %q", n, out.String(), gnu)
		}
	}

	out.mu.Lock()
	out.b.Reset()
	out.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	baseContext = func() context.Context { return ctx }
	defer func() { baseContext = context.Background }()
	done := make(chan error, 1)
	go func() { done <- run(env, []string{"-n", "3", "-F", p}) }()
	cmd, gnu := gnuTail(t, "-n", "3", "-F", p)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	same := func(step string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for out.String() != gnu.String() || out.String() == "" {
			if time.Now().After(deadline) {
				t.Fatalf("%s: richsops tail -F printed %q, GNU tail -F %q", step, out.String(), gnu.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	same("start")
	if !strings.HasSuffix(out.String(), "\npart") {
		t.Errorf("the last line without newline is not shown: %q", out.String())
	}
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	defer f.Close()
	for i, chunk := range []string{"ial\nnext\nhalf", " and more", " 日本", "\xe8\xaa" /* a rune cut in two */, "\x9e\n", "x\ny\n"} {
		f.WriteString(chunk)
		if chunk != "\xe8\xaa" { // richsops waits for the rune's rest; GNU tail writes the bytes
			same(fmt.Sprintf("after write %d (%q)", i, chunk))
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// The lines before a 5 MB line are found: 60 lines as GNU tail prints,
	// the long one capped with its start.
	var long strings.Builder
	for i := 1; i <= 100; i++ {
		long.WriteString(fmt.Sprintf("2026-12-01 03:00:%02d line %d", i%60, i))
		if i == 50 {
			long.WriteString(strings.Repeat("y", 5<<20))
		}
		long.WriteString("\n")
	}
	lp := filepath.Join(dir, "long.log")
	os.WriteFile(lp, []byte(long.String()), 0o644)
	out.mu.Lock()
	out.b.Reset()
	out.mu.Unlock()
	if err := run(env, []string{"-n", "60", lp}); err != nil {
		t.Fatal(err)
	}
	gnuLong, _ := exec.Command("tail", "-n", "60", lp).Output()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if want := strings.Count(string(gnuLong), "\n"); len(got) != want || want != 60 {
		t.Fatalf("tail -n 60 printed %d lines, GNU tail %d", len(got), want)
	}
	if l := got[9]; !strings.HasPrefix(l, "2026-12-01 03:00:50 line 50yyy") || !strings.HasSuffix(l, logtail.CutMark) {
		t.Errorf("the 5 MB line = %.40q…, want its start, cut", l)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
