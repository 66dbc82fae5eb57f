package overviewcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/cli"
)

// TestConfigCheckCatchesRunTimeFailures: config check fails (exit 2, with
// file:line) on what would fail only at run time: a traffic.log_format that
// does not compile, amazon.logs and traffic.log names with no [[logs]] entry.
// A config with [[logs]] of its own and no amazon.logs or traffic.log keeps
// passing (the defaults take only names it has).
func TestConfigCheckCatchesRunTimeFailures(t *testing.T) {
	dir := t.TempDir()
	head := "lang = \"en\"\naudit_log = \"" + filepath.Join(dir, "audit.jsonl") + "\"\n"
	logs := "[[logs]]\nname = \"app\"\npath = \"" + filepath.Join(dir, "app.log") + "\"\n"
	for _, tc := range []struct {
		name, toml string
		code       int
		want       string
	}{
		{"own logs, defaults", head + logs, 0, "OK"},
		{"format without $status", head + "[traffic]\nlog_format = '$remote_addr [$time_local] \"$request\"'\n" + logs, 2, ":4: traffic.log_format: log_format"},
		{"two variables run together", head + "[traffic]\nlog_format = '$remote_addr$status \"$request\"'\n" + logs, 2, "traffic.log_format: log_format: $status follows $remote_addr"},
		{"amazon.logs names no log", head + "[amazon]\nlogs = [\"app\", \"django\"]\n" + logs, 2, ":4: amazon.logs[1]: no [[logs]] entry named \"django\""},
		{"traffic.log names no log", head + "[traffic]\nlog = \"nginx-access\"\n" + logs, 2, ":4: traffic.log: no [[logs]] entry named \"nginx-access\""},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".toml")
		os.WriteFile(p, []byte(tc.toml), 0o644)
		var out, errb bytes.Buffer
		code := cli.Main([]string{"--config", p, "config", "check"}, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}
