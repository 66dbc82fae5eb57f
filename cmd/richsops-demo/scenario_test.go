package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/demo"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
)

// TestNotFoundScenarioBrakes: in the not-found scenario the demo's own
// watch service brakes its Mercari check within 60 s, by itself; the
// scenario command switches a sandbox back.
func TestNotFoundScenarioBrakes(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "sb")
	if out, err := exec.Command(bin, "--dir", dir, "--prepare").CombinedOutput(); err != nil {
		t.Fatalf("demo --prepare: %v\n%s", err, out)
	}
	s, err := demo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(bin, "--dir", dir, "--run", "--scenario", "not-found")
	var runOut bytes.Buffer
	run.Stdout, run.Stderr = &runOut, &runOut
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = run.Process.Kill()
		_ = run.Wait()
		demo.StopAll(s, time.Second)
	})
	eventually(t, "the activity to be ready", func() bool { _, err := os.Stat(filepath.Join(s.RunDir(), "ready")); return err == nil })
	start := time.Now()
	braked := func() bool {
		data, _ := os.ReadFile(s.Crontab())
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, "manage.py check_item_mercari ") {
				return strings.HasPrefix(l, crontab.PausedPrefix)
			}
		}
		return false
	}
	for !braked() {
		if time.Since(start) > 60*time.Second {
			t.Fatalf("not braked within 60 s of the start:\n%s", runOut.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("braked %s after the activity was ready", time.Since(start).Round(100*time.Millisecond))
	// The crontab is written before the stop and the audit's end.
	eventually(t, "the brake's pause audited", func() bool {
		recs, _ := gate.ReadAudit(s.AuditLog())
		for _, r := range recs {
			if r.Actor == gate.ActorBrake && r.Target == "check_item_mercari" && r.Phase == "end" && r.Outcome == "ok" &&
				strings.HasPrefix(r.Summary, "braked: ") {
				return true
			}
		}
		return false
	})
	if out, err := exec.Command(bin, "scenario", "--dir", dir, "normal").CombinedOutput(); err != nil || s.Scenario() != demo.ScenarioNormal {
		t.Fatalf("scenario normal: %v %s", err, out)
	}
	if out, err := exec.Command(bin, "scenario", "--dir", dir, "bogus").CombinedOutput(); err == nil {
		t.Fatalf("scenario bogus accepted: %s", out)
	}
}
