package jobs

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// Run now on a host reached over ssh: the launcher script runs through
// Host.Run (here the local machine seen as remote, so the same argv an ssh
// host would get), starts the job detached, as the app user with its login
// environment, in the app folder, output appended to its log.
func TestRunNowRemote(t *testing.T) {
	need(t, "setsid", "setpriv", "getent", "env")
	cfg := newApp(t)
	ctx := context.Background()
	h := sshHost(t)
	g := gate.New(false, filepath.Join(t.TempDir(), "audit.jsonl"))

	a, err := RunAction(ctx, h, cfg, RunSpec{Job: yahoo, Args: []string{"5", "6", "$(touch " + cfg.App.Dir + "/pwned)", "a b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Host != "remote-test" || !strings.Contains(strings.Join(a.Preview, "\n"), "setsid") {
		t.Errorf("preview: %q", a.Preview)
	}
	res := g.Do(ctx, a)
	t.Cleanup(func() { killSessions(ctx, host.NewLocal()) })
	if res.Err != nil {
		t.Fatalf("%v %v", res.Err, res.Outcome.Details)
	}
	if !strings.Contains(res.Outcome.Summary, "started on remote-test: pid") {
		t.Errorf("summary %q", res.Outcome.Summary)
	}
	procs, err := List(ctx, host.NewLocal(), cfg, []string{yahoo})
	if err != nil || len(procs) != 1 {
		b, _ := os.ReadFile(cfg.JobLogPath(cfg.Jobs[0]))
		t.Fatalf("processes: %v %v; summary %q; log %q", procs, err, res.Outcome.Summary, b)
	}
	logPath := cfg.JobLogPath(cfg.Jobs[0])
	eventually(t, "log line", func() bool {
		b, _ := os.ReadFile(logPath)
		return strings.Contains(string(b), "start job="+yahoo)
	})
	b, _ := os.ReadFile(logPath)
	line := string(b)
	for _, want := range []string{"pwd=" + cfg.App.Dir, "lang=ja_JP.UTF-8", "args=" + yahoo + " 5 6 $(touch " + cfg.App.Dir + "/pwned) a b"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.App.Dir, "pwned")); err == nil {
		t.Error("an argument was executed by the remote shell")
	}
	if os.Geteuid() == 0 {
		u, _ := user.Lookup("nobody")
		if procs[0].User != "nobody" || !strings.Contains(line, "home="+u.HomeDir+" ") {
			t.Errorf("user %s, log %q: want nobody with its login HOME", procs[0].User, line)
		}
	}
	// Its own session: it outlives the ssh command that started it.
	if sid, _ := sessionOf(procs[0].PID); sid != procs[0].PID {
		t.Errorf("pid %d is in session %d, not its own", procs[0].PID, sid)
	}
	// A second instance is refused as on the local host.
	if _, err := RunAction(ctx, h, cfg, RunSpec{Job: yahoo}, nil); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second instance: %v", err)
	}
}

// sessionOf reads the session id (field 6) of /proc/PID/stat.
func sessionOf(pid int) (int, error) {
	b, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var sid int
	for _, c := range fields[3] {
		sid = sid*10 + int(c-'0')
	}
	return sid, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
