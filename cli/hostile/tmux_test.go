package hostile_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/testbin"
)

// tmuxServer is a private tmux server (its own socket) that lets programs
// set the pane title and, with set-clipboard on, the paste buffers: what a
// raw OSC 0 or OSC 52 from richsops would change.
type tmuxServer struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T) *tmuxServer {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is needed")
		}
		t.Skip("tmux is needed")
	}
	s := &tmuxServer{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxServer) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil && args[0] != "list-buffers" {
		s.t.Fatalf("tmux %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// start runs argv in a new 120x40 window named name, its title "before".
func (s *tmuxServer) start(name string, argv ...string) {
	s.t.Helper()
	if s.run("start-server", ";", "list-sessions", "-F", "x") == "" {
		s.run("new-session", "-d", "-s", "hx", "-x", "120", "-y", "40", "sleep 600")
		s.run("set", "-g", "set-clipboard", "on")
		s.run("set", "-g", "allow-rename", "on")
	}
	// The program waits until the title is set: a title set after it had
	// started would hide what it did.
	wait := append([]string{"sh", "-c", `tmux -S "$0" wait-for "$1" && shift && exec "$@"`, s.socket, "go-" + name}, argv...)
	s.run(append([]string{"new-window", "-d", "-t", "hx", "-n", name}, wait...)...)
	s.run("select-pane", "-t", "hx:"+name, "-T", "before")
	s.run("wait-for", "-S", "go-"+name)
}

func (s *tmuxServer) waitFor(name, want string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen := s.run("capture-pane", "-p", "-t", "hx:"+name)
		if strings.Contains(strings.ReplaceAll(screen, " ", ""), want) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: no %q on the screen:\n%s", name, want, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxServer) title(name string) string {
	return strings.TrimSpace(s.run("display-message", "-p", "-t", "hx:"+name, "#{pane_title}"))
}

func (s *tmuxServer) buffers() string { return strings.TrimSpace(s.run("list-buffers")) }

// TestHostileProcessInTmux: the console, in a real tmux, shows a job
// process whose argv holds OSC 0 (title), OSC 52 (clipboard) and the rest
// of the corpus on the Jobs tab and in its kill dialog: the pane title and
// tmux's buffers stay as they were. A control window that prints the same
// bytes raw changes both, so the check can see what it looks for.
func TestHostileProcessInTmux(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as root, as app.user says")
	}
	tm := newTmux(t)
	cfgPath, job := hostileBox(t)
	bin := testbin.Build(t, "github.com/richs/richsops", filepath.Join(t.TempDir(), "richsops"))

	tm.start("control", "sh", "-c", `printf '\033]0;PWNED-TITLE\007\033]52;c;cHduZWQ=\007raw-printed\n'; sleep 600`)
	tm.waitFor("control", "raw-printed")
	if tm.title("control") != "PWNED-TITLE" || tm.buffers() == "" {
		t.Fatalf("the control's raw OSC 0 and 52 changed nothing (title %q, buffers %q): this tmux cannot show the harm", tm.title("control"), tm.buffers())
	}
	tm.run("delete-buffer")
	if b := tm.buffers(); b != "" {
		t.Fatalf("buffers left after delete-buffer: %q", b)
	}

	tm.start("console", "env", "LANG=C.UTF-8", bin, "--config", cfgPath)
	tm.waitFor("console", "richsops")
	tm.run("send-keys", "-t", "hx:console", "2")
	tm.waitFor("console", "manage.py"+job)
	tm.run("send-keys", "-t", "hx:console", "X")
	screen := tm.waitFor("console", "jobs.kill")
	if !strings.Contains(strings.ReplaceAll(screen, " ", ""), `\x1b]0;PWNED-TITLE\x07`) {
		t.Errorf("the kill dialog does not show the argv escaped:\n%s", screen)
	}
	time.Sleep(500 * time.Millisecond) // a frame or two more
	if got := tm.title("console"); got != "before" {
		t.Errorf("pane title changed to %q", got)
	}
	if b := tm.buffers(); b != "" {
		t.Errorf("tmux buffers changed: %s", b)
	}
	tm.run("send-keys", "-t", "hx:console", "Escape")
	if b, _ := os.ReadFile(filepath.Join(filepath.Dir(cfgPath), "audit.jsonl")); len(b) > 0 {
		t.Errorf("an action ran: %s", fmt.Sprint(string(b)))
	}
}
