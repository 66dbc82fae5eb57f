package host

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// spawnMarked starts a sleeping process whose argv holds a marker unique to
// the test, in dir; it is killed at the end.
func spawnMarked(t *testing.T, dir, marker string) *exec.Cmd {
	t.Helper()
	c := exec.Command("sh", "-c", "while :; do sleep 1; done", "richsops-test-"+marker)
	c.Dir = dir
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c
}

// findMarked lists the marked processes, less the shell's children caught
// between fork and exec of sleep (they carry the shell's argv for a moment).
// A process started a moment ago may not show its argv yet (execve sets it
// last): the listing is retried for a few seconds until one is found.
func findMarked(t *testing.T, h Host, marker string) []Process {
	t.Helper()
	word := "richsops-test-" + marker
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ps, err := h.Processes(ctx(t), ProcessQuery{Word: word, Keep: func(argv []string) bool {
			return len(argv) > 0 && argv[len(argv)-1] == word
		}})
		if err != nil {
			t.Fatal(err)
		}
		pids := map[int]bool{}
		for _, p := range ps {
			pids[p.PID] = true
		}
		ps = slices.DeleteFunc(ps, func(p Process) bool { return pids[p.PPID] })
		if len(ps) > 0 || time.Now().After(deadline) {
			return ps
		}
	}
}

// Processes lists argv, user, folder and start time the same on both
// hosts; CheckProcess and Signal refuse a pid whose start time or argv is
// not the listed one, and signal the right one.
func TestHostProcesses(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		marker := strings.ReplaceAll(t.Name(), "/", "-")
		c := spawnMarked(t, dir, marker)
		ps := findMarked(t, h, marker)
		if len(ps) != 1 {
			t.Fatalf("listed %+v, want pid %d", ps, c.Process.Pid)
		}
		p := ps[0]
		real, _ := filepath.EvalSymlinks(dir)
		if p.PID != c.Process.Pid || p.User != "root" && os.Geteuid() == 0 || p.Dir != real ||
			strings.Join(p.Args, " ") != "sh -c while :; do sleep 1; done richsops-test-"+marker || time.Since(p.Start) > time.Minute || p.StartKey == "" {
			t.Fatalf("listed %+v (folder want %s)", p, real)
		}
		if err := h.CheckProcess(ctx(t), p); err != nil {
			t.Fatalf("check: %v", err)
		}
		for _, tc := range []struct {
			name string
			edit func(*Process)
			want error
		}{
			{"other start", func(q *Process) { q.StartKey = "1" }, ErrNotSameProcess},
			{"other argv", func(q *Process) { q.Args = q.Args[:2] }, ErrNotSameProcess},
			{"pid 1", func(q *Process) { q.PID = 1 }, ErrInitProcess},
		} {
			q := p
			q.Args = append([]string(nil), p.Args...)
			tc.edit(&q)
			if err := h.Signal(ctx(t), q, syscall.SIGTERM); !errors.Is(err, tc.want) {
				t.Errorf("%s: signal gave %v, want %v", tc.name, err, tc.want)
			}
		}
		if err := h.CheckProcess(ctx(t), p); err != nil {
			t.Fatalf("refused signals reached it: %v", err)
		}
		if err := h.Signal(ctx(t), p, syscall.SIGTERM); err != nil {
			t.Fatalf("signal: %v", err)
		}
		c.Wait()
		if err := h.CheckProcess(ctx(t), p); !errors.Is(err, ErrProcessGone) {
			t.Fatalf("after exit: %v", err)
		}
		if err := h.Signal(ctx(t), p, syscall.SIGTERM); !errors.Is(err, ErrProcessGone) {
			t.Fatalf("signal after exit: %v", err)
		}
	})
}

func TestLocalRefusesSelf(t *testing.T) {
	l := NewLocal()
	err := l.Signal(ctx(t), Process{PID: os.Getpid()}, syscall.SIGTERM)
	if !errors.Is(err, ErrSelfProcess) {
		t.Fatalf("got %v", err)
	}
}

func TestHostRealpath(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		real, _ := filepath.EvalSymlinks(dir)
		if err := os.Symlink(dir, filepath.Join(dir, "..", filepath.Base(dir)+"-link")); err != nil {
			t.Fatal(err)
		}
		link := dir + "-link"
		t.Cleanup(func() { os.Remove(link) })
		got, err := h.Realpath(ctx(t), link)
		if err != nil || got != real {
			t.Fatalf("realpath %q, %v; want %q", got, err, real)
		}
	})
}

func TestParsePS(t *testing.T) {
	out := "  PID  PPID USER     STARTED                     ELAPSED %CPU   RSS COMMAND\n" +
		"    1     0 root     Fri Nov  7 03:12:08 2026    1000  0.0  1234 /sbin/init\n" +
		" 4242  4240 richs    Fri Nov 27 03:00:01 2026     600 97.5 204800 python manage.py check_item_mercari 2 4 --max-workers 14\n"
	ps, err := ParsePS([]byte(out), ProcessQuery{Word: "manage.py"})
	if err != nil || len(ps) != 1 {
		t.Fatalf("%v %v", ps, err)
	}
	p := ps[0]
	if p.PID != 4242 || p.PPID != 4240 || p.User != "richs" || p.CPU != 97.5 || p.RSS != 204800*1024 || p.Elapsed != 600*time.Second || p.Start.Day() != 27 || p.StartKey != "Fri Nov 27 03:00:01 2026" {
		t.Fatalf("%+v", p)
	}
}

// Parent reads a process's argv and parent pid on either host.
func TestHostParent(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		c := exec.Command("sleep", "30")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { c.Process.Kill(); c.Wait() }()
		// Start returns once execve closed the child's close-on-exec pipe,
		// which the kernel does before it sets the new argv: /proc's
		// cmdline can be empty for a moment.
		var argv []string
		var ppid int
		var ok bool
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			argv, ppid, ok = Parent(context.Background(), h, c.Process.Pid)
			if !ok || len(argv) != 1 || argv[0] != "" || time.Now().After(deadline) {
				break
			}
		}
		if !ok || ppid != os.Getpid() || !slices.Equal(argv, []string{"sleep", "30"}) {
			t.Fatalf("Parent: %q %d %v", argv, ppid, ok)
		}
		c.Process.Kill()
		c.Wait()
		if _, _, ok := Parent(context.Background(), h, c.Process.Pid); ok {
			t.Error("a process that is gone still reads")
		}
	})
}
