package jobs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// spawnAs is spawn as another uid.
func spawnAs(t *testing.T, uid uint32, dir string, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd
}

// TestOtherAppsProcessIsNotTheJob: another app's manage.py of the same job
// name, run by nobody in another folder, is not listed, does not block a
// run and is not killed; the match key widens the rule for odd setups.
func TestOtherAppsProcessIsNotTheJob(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a process as nobody")
	}
	ctx := context.Background()
	bothHosts(t, func(t *testing.T, h host.Host) {
		{
			cfg := newApp(t)
			cfg.App.User = "daemon"                                   // nobody is not the app's user
			elsewhere, err := os.MkdirTemp("", "richsops-other-app-") // t.TempDir's parent is closed to nobody
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(elsewhere) })
			os.Chmod(elsewhere, 0o755)
			os.WriteFile(filepath.Join(elsewhere, "manage.py"), []byte(fakeManage), 0o755)
			// Also a folder whose name starts like the app's: not inside it.
			sibling := cfg.App.Dir + "-old"
			os.Mkdir(sibling, 0o755)
			t.Cleanup(func() { os.RemoveAll(sibling) })
			foreign := spawnAs(t, 65534, elsewhere, "sh", "manage.py", yahoo)
			rootElsewhere := spawn(t, sibling, "sh", filepath.Join(elsewhere, "manage.py"), yahoo)
			settled(t, foreign.Process.Pid)
			settled(t, rootElsewhere.Process.Pid)

			if ps, err := List(ctx, h, cfg, []string{yahoo}); err != nil || len(ps) != 0 {
				t.Fatalf("listed another app's processes: %+v %v", ps, err)
			}
			if _, err := KillAction(ctx, h, cfg, yahoo, 0, time.Second); err == nil {
				t.Fatal("kill accepted with no process of the job")
			}
			if _, err := KillAction(ctx, h, cfg, yahoo, foreign.Process.Pid, time.Second); err == nil {
				t.Fatal("kill of another app's pid accepted")
			}
			if _, err := RunAction(ctx, h, cfg, RunSpec{Job: yahoo}, nil); err != nil {
				t.Fatalf("run blocked by another app's process: %v", err)
			}
			if !alive(foreign.Process.Pid) || !alive(rootElsewhere.Process.Pid) {
				t.Fatal("another app's process died")
			}

			// Widened: by user only, root's process elsewhere is the job's;
			// by argv, both are.
			for _, tc := range []struct {
				match string
				want  []int
			}{
				{MatchUser, []int{rootElsewhere.Process.Pid}},
				{MatchArgv, []int{rootElsewhere.Process.Pid, foreign.Process.Pid}},
			} {
				c := *cfg
				c.Jobs = append([]config.Job(nil), cfg.Jobs...)
				c.Jobs[0].Match = tc.match
				ps, err := List(ctx, h, &c, []string{yahoo})
				got := pids(ps)
				if err != nil || len(ps) != len(tc.want) {
					t.Errorf("match %s: %+v %v", tc.match, ps, err)
				}
				for _, pid := range tc.want {
					if !got[pid] {
						t.Errorf("match %s: pid %d not listed", tc.match, pid)
					}
				}
			}
		}
	})
}

// TestOwned is the rule on its own: user and folder, and the folder's
// resolved form.
func TestOwned(t *testing.T) {
	cfg := config.Default()
	cfg.App.Dir, cfg.App.User = "/var/www/richs", "richs"
	cfg.Jobs = []config.Job{{Name: "j"}, {Name: "u", Match: MatchUser}, {Name: "a", Match: MatchArgv}}
	for _, tc := range []struct {
		job, user, dir, resolved string
		want                     bool
	}{
		{"j", "richs", "/var/www/richs", "", true},
		{"j", "root", "/var/www/richs/sub", "", true},
		{"j", "richs", "/var/www/richs-old", "", false},
		{"j", "richs", "/srv/releases/7", "/srv/releases/7", true},
		{"j", "nobody", "/var/www/richs", "", false},
		{"j", "richs", "", "", false}, // folder not readable
		{"u", "richs", "/tmp", "", true},
		{"u", "nobody", "/var/www/richs", "", false},
		{"a", "nobody", "/tmp", "", true},
		{"unknown", "richs", "/var/www/richs", "", true},
	} {
		p := Proc{Process: host.Process{User: tc.user, Dir: tc.dir}, Job: tc.job}
		if got := Owned(cfg, p, tc.resolved); got != tc.want {
			t.Errorf("%+v resolved %q: %v, want %v", p, tc.resolved, got, tc.want)
		}
	}
}

// TestKillRechecksUserAndFolder: a listed process that, before the signal,
// has left app.dir or dropped to another user (same pid, start time and
// argv) is no longer the job's by the rule that listed it: not signalled.
func TestKillRechecksUserAndFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a process that changes its user")
	}
	need(t, "python3", "ps", "readlink")
	py, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Skip("python3:", err)
	}
	ctx := context.Background()
	// On SIGUSR1 the job leaves its folder (cd /) or becomes nobody; argv,
	// pid and start time stay as listed. (Dumpable again after setuid, or
	// /proc/PID stays root's.)
	scripts := map[string]struct{ argv []string }{
		"folder": {[]string{"sh", "-c", `trap 'cd /' USR1; while :; do sleep 300 & wait; done`, "manage.py", yahoo}},
		"user": {[]string{strings.TrimSpace(string(py)), "-c",
			"import ctypes,os,signal\ndef drop(*a):\n  os.setuid(65534)\n  ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)\nsignal.signal(signal.SIGUSR1, drop)\nwhile True: signal.pause()", "manage.py", yahoo}},
	}
	for _, h := range []host.Host{host.NewLocal(), sshHost(t)} {
		for name, sc := range scripts {
			t.Run(h.Name()+"/"+name, func(t *testing.T) {
				cfg := newApp(t)
				cfg.App.User = "root"
				c := spawn(t, cfg.App.Dir, sc.argv...)
				p := listed(t, h, cfg, yahoo, c.Process.Pid)
				eventually(t, "SIGUSR1 caught", func() bool {
					b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.PID))
					_, v, _ := strings.Cut(string(b), "SigCgt:\t")
					mask, _ := strconv.ParseUint(strings.Fields(v + " 0")[0], 16, 64)
					return mask&(1<<(syscall.SIGUSR1-1)) != 0
				})
				syscall.Kill(p.PID, syscall.SIGUSR1)
				eventually(t, "the change", func() bool {
					cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", p.PID))
					var st syscall.Stat_t
					syscall.Stat(fmt.Sprintf("/proc/%d", p.PID), &st)
					return cwd == "/" || st.Uid == 65534
				})
				lines, _ := Terminate(ctx, h, []Proc{p}, time.Second)
				if !strings.Contains(lines[0], "not signalled") || !alive(p.PID) {
					t.Fatalf("a process no longer the job's was signalled: %v", lines)
				}
			})
		}
	}
}
