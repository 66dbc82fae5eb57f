package hostscmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/host"
)

var (
	sshd    *sshtest.Server
	sshdErr error
)

func TestMain(m *testing.M) { sshtest.Main(m, "hosts", &sshd, &sshdErr) }

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHostsCommand(t *testing.T) {
	if sshdErr != nil {
		t.Skip("no sshd: ", sshdErr)
	}
	// The shared-connection sockets go to a private folder of this test.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	good := sshd.Entry("db1")
	down := sshd.EntryPort("srv1", freeport.For(t))
	cfg := filepath.Join(t.TempDir(), "config.toml")
	content := "lang = \"en\"\n\n" + sshtest.TOML(good, `"db"`) + sshtest.TOML(down, "")
	if err := os.WriteFile(cfg, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Stop the shared connection the command left for the next one.
		if h, err := host.NewSSH(good, host.SSHConfig{}); err == nil {
			h.Close()
		}
	})

	code, out, errs := runCLI("--config", cfg, "hosts", "--json", "--timeout", "30s")
	if code != 1 {
		t.Fatalf("exit %d with an unreachable host, want 1; stderr %s", code, errs)
	}
	var rows []Row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(rows) != 2 || rows[0].Name != "db1" || rows[1].Name != "srv1" {
		t.Fatalf("rows %+v", rows)
	}
	if r := rows[0]; !r.Reachable || r.ConnectMS <= 0 || r.RTTMS <= 0 || r.Error != "" || r.Roles[0] != "db" {
		t.Errorf("db1: %+v", r)
	}
	if r := rows[1]; r.Reachable || !strings.Contains(r.Error, "Connection refused") {
		t.Errorf("srv1: %+v", r)
	}

	code, out, errs = runCLI("--config", cfg, "hosts", "db1")
	if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "db1") || !strings.Contains(out, " ok ") || strings.Contains(out, "srv1") {
		t.Errorf("table of db1: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("hosts db1:\n%s", out)
	code, out, _ = runCLI("--config", cfg, "hosts", "srv1")
	t.Logf("hosts srv1:\n%s", out)
	if code != 1 || !strings.Contains(out, "unreachable") || !strings.Contains(out, "Connection refused") {
		t.Errorf("table of srv1: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{{"nosuch"}, {"--timeout", "soon"}, {"--timeout"}, {"--frobnicate"}} {
		if code, _, _ := runCLI(append([]string{"--config", cfg, "hosts"}, bad...)...); code != 2 {
			t.Errorf("%q: exit %d, want 2", bad, code)
		}
	}
}

func TestHostsCommandWithoutHosts(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(cfg, []byte("lang = \"en\"\n"), 0o644)
	code, out, errs := runCLI("--config", cfg, "hosts")
	if code != 0 || !strings.Contains(out, "no [[hosts]]") {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
	code, out, _ = runCLI("--config", cfg, "hosts", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\nb\x1b[31m\tc  d\u0085\u202e"); got != `a b\x1b[31m c d \u202e` {
		t.Errorf("%q", got)
	}
}
