package watchcmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ops/crontab"
)

// TestWatchOnceBrakes: the brake is one of watch's interlocks; --once
// brakes a run already over its limit, read back from the run's start.
func TestWatchOnceBrakes(t *testing.T) {
	f := newFixture(t)
	cfg, _ := os.ReadFile(f.cfg)
	brakeConf := "guard = \"index-linux\"\n[jobs.counts]\nwithdrawn = \"取り下げ\"\n[jobs.brake]\ncount = \"withdrawn\"\n"
	os.WriteFile(f.cfg, []byte(strings.Replace(string(cfg), "guard = \"index-linux\"\n", brakeConf, 1)), 0o644)
	cmd := exec.Command("sh", "manage.py", f.job)
	cmd.Dir = f.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	time.Sleep(200 * time.Millisecond) // listed with its start before the lines' stamps
	var lines strings.Builder
	for i := range 30 {
		fmt.Fprintf(&lines, "%s INFO 在庫切れ → 出品取り下げ: item %d\n", time.Now().Format("2006-01-02 15:04:05,000"), i)
	}
	os.WriteFile(f.log, []byte(lines.String()), 0o644)
	_, out := f.main("watch", "--once", "--no-guard")
	if !strings.Contains(out, "brake: "+f.job+" braked: 30 withdrawn in the last minute, over the floor of 20/min (no baseline yet)") {
		t.Fatalf("no trip reported:\n%s", out)
	}
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the run still goes")
	}
	tab, _ := os.ReadFile(filepath.Join(f.dir, "crontab"))
	if !strings.HasPrefix(string(tab), crontab.PausedPrefix) {
		t.Fatalf("crontab %q", tab)
	}
}
