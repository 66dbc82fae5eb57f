package logtail

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/host"
)

// tailHosts runs f on this machine as Local and over a private sshd.
func tailHosts(t *testing.T, f func(t *testing.T, h host.Host)) {
	t.Run("local", func(t *testing.T) { f(t, host.NewLocal()) })
	t.Run("ssh", func(t *testing.T) {
		srv := sshtest.StartT(t)
		h, err := host.NewSSH(srv.Entry("remote-test"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		f(t, h)
	})
}

// Tail reads the last lines of the newest file a pattern matches, on the
// file's own host, and follows what is appended.
func TestTailOnBothHosts(t *testing.T) {
	tailHosts(t, func(t *testing.T, h host.Host) {
		dir := t.TempDir()
		old, cur := filepath.Join(dir, "app-1.log"), filepath.Join(dir, "app-2.log")
		os.WriteFile(old, []byte("old\n"), 0o644)
		os.Chtimes(old, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
		os.WriteFile(cur, []byte("a\nb\nc\n"), 0o644)
		pattern := filepath.Join(dir, "app-*.log")

		var once collector
		if err := Tail(context.Background(), h, Source{Path: pattern, Lines: 2}, &once); err != nil {
			t.Fatal(err)
		}
		if lines, _ := once.snapshot(); strings.Join(lines, ",") != "b,c" {
			t.Fatalf("last 2 lines %q, want b,c", lines)
		}

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var c collector
		done := make(chan error, 1)
		go func() { done <- Tail(ctx, h, Source{Path: pattern, Lines: 1, Follow: true}, &c) }()
		eventually(t, "the last line", func() bool { l, _ := c.snapshot(); return len(l) == 1 && l[0] == "c" })
		f, _ := os.OpenFile(cur, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("d\n")
		f.Close()
		eventually(t, "the appended line", func() bool { l, _ := c.snapshot(); return len(l) == 2 && l[1] == "d" })
		cancel()
		<-done
	})
}

// byCommand is this machine with a host's own tail command instead of the
// follower by descriptor.
type byCommand struct{ *host.Local }

func (byCommand) TailCommand(path string, lines int, follow bool) []string {
	return []string{"sh", "-c", `echo "by command: $1 $2"`, "sh", path, strconv.Itoa(lines)}
}

// Tail asks the host how its files are followed, with no notion of which
// host is this machine.
func TestTailFollowsTheHostsWay(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(p, []byte("a\nb\n"), 0o644)
	for _, tc := range []struct {
		h    host.Host
		want string
	}{
		{host.NewLocal(), "b"},
		{byCommand{host.NewLocal()}, "by command: " + p + " 1"},
	} {
		var c collector
		if err := Tail(context.Background(), tc.h, Source{Path: p, Lines: 1}, &c); err != nil {
			t.Fatal(err)
		}
		if lines, _ := c.snapshot(); strings.Join(lines, ",") != tc.want {
			t.Errorf("%T: %q, want %q", tc.h, lines, tc.want)
		}
	}
}
