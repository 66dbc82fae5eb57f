package tailcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
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
		want := `two \x1b]0;t\x07` + "\n" + strings.Repeat("x", 100) + logtail.CutMark + "\n日本語\npartial\n"
		if out.String() != want {
			t.Errorf("tail -n 4 %s =\n%q\nwant\n%q", arg, out.String(), want)
		}
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
	// A [[logs]] entry with a host is read with tail on that host; a Local
	// host registered as "db1" stands in for the SSH one here.
	if _, err := exec.LookPath("tail"); err != nil {
		t.Skip("tail missing")
	}
	p := filepath.Join(t.TempDir(), "r.log")
	os.WriteFile(p, []byte("a\nb\x07\n"), 0o644)
	env, out, _ := testEnv(t, config.Log{Name: "remote", Path: p, Host: "db1"})
	env.Hosts.Set("db1", host.NewLocal())
	if err := run(env, []string{"-n", "1", "remote"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != `b\x07`+"\n" {
		t.Errorf("remote tail = %q", out.String())
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
