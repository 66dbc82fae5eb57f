package host

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sessionOf is field 6 of /proc/PID/stat.
func sessionOf(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	sid, _ := strconv.Atoi(f[3])
	return sid
}

// StartDetached starts the program in its own session, in the folder, as
// the user (when root), its output appended to the log, on both hosts;
// the pid it gives is the one running the program, and a hostile argument
// arrives as one word.
func TestHostStartDetached(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir, err := os.MkdirTemp("", "richsops-detached-") // t.TempDir's parent is closed to nobody
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		os.Chmod(dir, 0o777)
		log := filepath.Join(dir, "job.log")
		write(t, log, "before\n")
		os.Chmod(log, 0o666)
		hostile := "$(touch " + dir + "/pwned) a b"
		d := Detached{Argv: []string{"sh", "-c", `echo "run $PWD $(id -un) $GREETING [$1]"; exec sleep 60`, "richsops-test", hostile},
			Dir: dir, User: "nobody", Env: map[string]string{"GREETING": "hi"}, Log: log}
		st, err := h.StartDetached(ctx(t), d)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Kill(st.PID, syscall.SIGKILL) })
		want := "run " + dir + " "
		if os.Geteuid() == 0 {
			want += "nobody"
		}
		var got []byte
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if got, _ = os.ReadFile(log); strings.Contains(string(got), "["+hostile+"]") {
				break
			}
		}
		if !strings.HasPrefix(string(got), "before\n"+want) || !strings.Contains(string(got), " hi ["+hostile+"]") {
			t.Fatalf("log %q, want it to start with %q", got, "before\n"+want)
		}
		if exists(filepath.Join(dir, "pwned")) {
			t.Fatal("an argument was executed")
		}
		ps, _ := NewLocal().Processes(ctx(t), ProcessQuery{Keep: func(argv []string) bool { return len(argv) == 2 && argv[0] == "sleep" && argv[1] == "60" }})
		found := false
		for _, p := range ps {
			if p.PID == st.PID {
				found = true
			}
		}
		if !found {
			t.Fatalf("pid %d does not run the program", st.PID)
		}
		if sid := sessionOf(t, st.PID); sid != st.PID {
			t.Errorf("pid %d is in session %d, not its own", st.PID, sid)
		}
	})
}

// A symlinked log is refused on both hosts, and nothing is started.
func TestHostStartDetachedRefusesSymlinkLog(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		dir := t.TempDir()
		target := filepath.Join(dir, "target")
		write(t, target, "")
		log := filepath.Join(dir, "job.log")
		if err := os.Symlink(target, log); err != nil {
			t.Fatal(err)
		}
		_, err := h.StartDetached(ctx(t), Detached{Argv: []string{"sh", "-c", "echo ran"}, Dir: dir, Log: log})
		if err == nil {
			t.Fatal("started through a symlinked log")
		}
		if b, _ := os.ReadFile(target); len(b) != 0 {
			t.Fatalf("wrote %q through the link", b)
		}
	})
}
