package sshtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// These tests run real callers of the Host interface (the Jobs domain)
// against the SSH host, to show a remote host works for them as Local does.

func start(t *testing.T) (*sshtest.Server, *host.SSH) {
	srv := sshtest.StartT(t)
	dir, err := os.MkdirTemp(srv.Dir, "cm")
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.NewSSH(srv.Entry("srv1"), host.SSHConfig{ControlDir: dir, Edit: edittest.Dirs(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return srv, h
}

func TestJobsProcessesOverSSH(t *testing.T) {
	_, h := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("check_item_sshtest%d", os.Getpid())
	// A stand-in job: its command line holds ".../manage.py NAME", it
	// runs in the app folder; a same-argv process elsewhere as nobody is
	// another app's and is listed neither way.
	app := t.TempDir()
	cfg := config.Default()
	cfg.App.Dir, cfg.App.User = app, "richs-none"
	cmd := exec.Command("sh", "-c", "sleep 60", "/srv/richs/manage.py", name)
	cmd.Dir = app
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if os.Geteuid() == 0 {
		other := exec.Command("sh", "-c", "sleep 60", "/srv/richs/manage.py", name)
		other.Dir = "/"
		other.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		if err := other.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { other.Process.Kill(); other.Wait() }()
	}
	remote, err := jobs.List(ctx, h, cfg, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	local, err := jobs.List(ctx, host.NewLocal(), cfg, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	if len(remote) != 1 || len(local) != 1 || remote[0].PID != cmd.Process.Pid || local[0].PID != cmd.Process.Pid {
		t.Fatalf("pid %d: over ssh %+v, local %+v", cmd.Process.Pid, remote, local)
	}
	if remote[0].Job != name || remote[0].User != local[0].User {
		t.Errorf("over ssh %+v, local %+v", remote[0], local[0])
	}
}

func TestCrontabPauseOverSSH(t *testing.T) {
	_, h := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "crontab")
	content := "SHELL=/bin/bash\n30 5,17 * * * richs cd /var/www/richs && python manage.py check_item_mercari 2 4 --max-workers 14 >> /var/www/richs/logs/inventory-mercari.log 2>&1\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	asRoot := os.Geteuid() == 0 // sshd logs in as the test's user
	if asRoot {
		os.Chown(path, 65534, 65534)
	}
	f, err := crontab.Load(ctx, h, path)
	if err != nil {
		t.Fatal(err)
	}
	edit, err := f.Pause("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	backup, err := crontab.Apply(ctx, h, path, edit)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(edit.New) || !strings.Contains(string(got), "#") {
		t.Errorf("after pause over ssh:\n%s", got)
	}
	if old, err := os.ReadFile(backup); err != nil || string(old) != content {
		t.Errorf("backup %q: %q %v", backup, old, err)
	}
	// cronie wants root's crontab: a root editor over ssh makes root the
	// owner, as it does here, and keeps the group.
	if fi, err := os.Stat(path); asRoot && (err != nil || fi.Sys().(*syscall.Stat_t).Uid != 0 || fi.Sys().(*syscall.Stat_t).Gid != 65534) {
		t.Errorf("owner after pause over ssh: %+v %v", fi.Sys(), err)
	}
	// The same edit again: made on the file as it is now, it is refused.
	if _, err := crontab.Apply(ctx, h, path, edit); !errors.Is(err, crontab.ErrAlreadyPaused) {
		t.Errorf("stale edit: %v", err)
	}
}

// TestRunLockOverSSH: the run-now lock taken over ssh is an flock on the
// remote's lock file (here the same machine), held until released.
func TestRunLockOverSSH(t *testing.T) {
	_, h := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := config.Default()
	cfg.LockDir = filepath.Join(t.TempDir(), "locks")
	unlock, err := jobs.LockRun(ctx, h, cfg, "check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg.LockDir, "jobs-run-check_item_mercari.lock")
	tryLock := func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err := tryLock(); err != syscall.EWOULDBLOCK {
		t.Fatalf("while held over ssh: %v, want EWOULDBLOCK", err)
	}
	unlock()
	if err := tryLock(); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
