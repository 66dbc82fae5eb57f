package servicesview

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ui/common"
)

// TestStopSaysWhatItEndangers: stopping Redis while the Mercari check runs
// and is scheduled says so and offers to pause it first; yes pauses its
// crontab line and stops its real process before Redis, in one action.
// Stopping index-linux asks for a typed word.
func TestStopSaysWhatItEndangers(t *testing.T) {
	f := newFixture(t, "en")
	cfg := f.d.Cfg
	dir := t.TempDir()
	me, _ := user.Current()
	job := fmt.Sprintf("check_item_mercari_sv%d", os.Getpid())
	cfg.App.Dir, cfg.App.LogDir, cfg.App.User = dir, dir, me.Username
	cfg.Crontab.Path, cfg.Crontab.Reload = filepath.Join(dir, "crontab"), []string{"true"}
	cfg.Jobs = []config.Job{{Name: job, Guard: "index-linux", Log: "m.log"}}
	cfg.Guard.Jobs = []string{job}
	line := "0 3,15 * * * richs python manage.py " + job + " 2 4\n"
	os.WriteFile(cfg.Crontab.Path, []byte(line), 0o644)
	proc := exec.Command("sh", "-c", "sleep 300; :", "manage.py", job)
	proc.Dir = dir
	proc.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { proc.Wait(); close(exited) }()
	t.Cleanup(func() { syscall.Kill(-proc.Process.Pid, syscall.SIGKILL) })
	f.refresh(t)

	f.tab.sel = 2 // redis
	msg := f.press("S")()
	f.tab.Update(msg)
	v := strings.Join(strings.Fields(f.tab.View()), " ")
	for _, want := range []string{"ENDANGERS " + job, fmt.Sprintf("RUNNING now (pid %d)", proc.Process.Pid), "next run", "Pause the Mercari check first"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, f.tab.View())
		}
	}
	cm, ok := f.press("y")().(common.ConfirmMsg)
	if !ok {
		t.Fatal("y did not confirm")
	}
	preview := strings.Join(cm.Action.Preview, "\n")
	if !strings.Contains(preview, "first, pause the Mercari check:") || !strings.Contains(preview, crontab.PausedPrefix) || cm.Action.Danger != "" {
		t.Fatalf("preview (danger %q):\n%s", cm.Action.Danger, preview)
	}
	res := f.d.Gate.Do(context.Background(), cm.Action)
	if res.Err != nil {
		t.Fatalf("%v %+v", res.Err, res.Outcome)
	}
	if b, _ := os.ReadFile(cfg.Crontab.Path); string(b) != crontab.PausedPrefix+line {
		t.Errorf("crontab: %q", b)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Error("the running Mercari check was not stopped")
	}
	if d := strings.Join(res.Outcome.Details, "\n"); !strings.Contains(d, "paused") || !strings.Contains(d, "SIGTERM") {
		t.Errorf("details do not report each step:\n%s", d)
	}

	// index-linux: nothing at risk now (paused, not running); a typed word.
	f.refresh(t)
	f.tab.sel = 3
	msg = f.press("S")()
	if cm, ok := msg.(common.ConfirmMsg); !ok || cm.Action.Danger != guard.StopWord {
		t.Fatalf("index-linux stop: %+v", msg)
	}
}
