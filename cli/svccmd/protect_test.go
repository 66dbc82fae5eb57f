package svccmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/cli"
)

// TestSvcStopProtectsTheMercariCheck: `svc stop mysqld` (as the Services
// tab) says which Mercari check it endangers and how to pause it first,
// and asks for the typed word; --pause-first pauses the check's crontab
// line before the stop, in the same action.
func TestSvcStopProtectsTheMercariCheck(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "mysqld-stopped")
	tab := filepath.Join(dir, "crontab")
	job := "check_item_mercari"
	line := "0 3,15 * * * root cd " + dir + " && python manage.py " + job + " 2 4\n"
	os.WriteFile(tab, []byte(line), 0o644)
	cfgPath := filepath.Join(dir, "richsops.toml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`lang = "en"
audit_log = %[1]q
state_dir = %[2]q
lock_dir = %[3]q
[app]
dir = %[4]q
log_dir = %[4]q
[crontab]
path = %[5]q
reload = ["true"]
[guard]
jobs = [%[6]q]
state_file = %[7]q
[[jobs]]
name = %[6]q
guard = "index-linux"
[[services]]
name = "mysqld"
kind = "command"
start = ["true"]
stop = ["touch", %[8]q]
status = ["false"]
timeout = "5s"
[[services]]
name = "plain"
kind = "command"
start = ["true"]
stop = ["true"]
status = ["false"]
`, filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "state"), filepath.Join(dir, "locks"), dir, tab, job,
		filepath.Join(dir, "guard.json"), marker)), 0o644)
	run := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader(stdin), &out, &errb)
		return code, out.String() + errb.String()
	}
	stopped := func() bool { _, err := os.Stat(marker); return err == nil }
	crontab := func() string { b, _ := os.ReadFile(tab); return string(b) }

	code, out := run("y\n", "svc", "stop", "mysqld")
	if code == 0 || stopped() {
		t.Fatalf("stopped on a bare y (exit %d):\n%s", code, out)
	}
	for _, want := range []string{"ENDANGERS " + job, "svc stop --pause-first mysqld", `Type "STOP"`} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if code, out := run("STOP\n", "svc", "stop", "mysqld"); code != 0 || !stopped() || crontab() != line {
		t.Fatalf("typed stop (exit %d, crontab %q):\n%s", code, crontab(), out)
	}
	os.Remove(marker)
	code, out = run("STOP\n", "svc", "stop", "--pause-first", "mysqld")
	if code != 0 || !stopped() || !strings.HasPrefix(crontab(), "#") {
		t.Fatalf("--pause-first (exit %d, crontab %q):\n%s", code, crontab(), out)
	}
	if !strings.Contains(out, "first, pause the Mercari check") {
		t.Errorf("preview does not say the check is paused first:\n%s", out)
	}
	if code, out := run("", "--yes", "svc", "stop", "--pause-first", "plain"); code != 2 {
		t.Errorf("--pause-first of a service that endangers nothing: exit %d\n%s", code, out)
	}
}
