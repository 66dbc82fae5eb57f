package watchcmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/gate"
)

// amazonFixture is the fixture with its job Amazon-heavy and a django log
// with Amazon's 503s of the last minutes.
func amazonFixture(t *testing.T) fixture {
	f := newFixture(t)
	cfg, _ := os.ReadFile(f.cfg)
	text := strings.Replace(string(cfg), `guard = "index-linux"
[guard]`, `amazon = true
[guard]`, 1)
	log := filepath.Join(f.dir, "django.log")
	text += `[[logs]]
name = "django"
path = "` + log + `"
kind = "django"
[amazon]
logs = ["django"]
`
	os.WriteFile(f.cfg, []byte(text), 0o644)
	var lines string
	for i := range 5 {
		lines += time.Now().Add(-time.Duration(i)*time.Minute).Format("2006-01-02 15:04:05") +
			`,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0 HTTP/1.1" 503 2671` + "\n"
	}
	os.WriteFile(log, []byte(lines), 0o644)
	return f
}

// TestWatchHoldsAndRunNowRefuses: `watch --once` during a block pauses
// the Amazon-heavy job's cron line as the hold's own; `jobs run` then
// refuses it and says how to override; --readonly refuses the hold and
// audits it as the hold's.
func TestWatchHoldsAndRunNowRefuses(t *testing.T) {
	f := amazonFixture(t)
	code, out := f.main("--readonly", "watch", "--once", "--no-guard")
	if tab, _ := os.ReadFile(filepath.Join(f.dir, "crontab")); strings.Contains(string(tab), "#richsops-paused#") {
		t.Fatalf("read-only paused: %d %s", code, out)
	}
	recs, _ := gate.ReadAudit(filepath.Join(f.dir, "audit.jsonl"))
	if len(recs) != 1 || recs[0].Phase != "refused" || recs[0].Actor != gate.ActorHold {
		t.Fatalf("read-only audit %+v", recs)
	}

	code, out = f.main("watch", "--once", "--no-guard")
	if !strings.Contains(out, "amazon-hold: jobs.pause "+f.job+": held: Amazon block since") {
		t.Fatalf("watch --once: %d %s", code, out)
	}
	if tab, _ := os.ReadFile(filepath.Join(f.dir, "crontab")); !strings.Contains(string(tab), "#richsops-paused#") {
		t.Fatalf("not paused: %s", tab)
	}
	code, out = f.main("--yes", "jobs", "run", f.job)
	if code == 0 || !strings.Contains(out, "Amazon block since") || !strings.Contains(out, "held until about") ||
		!strings.Contains(out, "richsops jobs run --override "+f.job) {
		t.Fatalf("jobs run during the hold: %d %s", code, out)
	}
	code, out = f.main("jobs", "list")
	if !strings.Contains(out, "held by richsops watch during an Amazon block") {
		t.Errorf("jobs list: %d %s", code, out)
	}
}

// TestWatchJSONStaysJSON: with --json the hold's lines go to stderr, and
// stdout is the tick's JSON alone.
func TestWatchJSONStaysJSON(t *testing.T) {
	f := amazonFixture(t)
	var out, errb bytes.Buffer
	cli.Main([]string{"--config", f.cfg, "--json", "watch", "--once", "--no-guard"}, strings.NewReader(""), &out, &errb)
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if !strings.Contains(errb.String(), "amazon-hold: jobs.pause") {
		t.Fatalf("stderr: %s", errb.String())
	}
}
