package hostile_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	_ "github.com/richs/richsops/cli/checkcmd"
	_ "github.com/richs/richsops/cli/dbcmd"
	_ "github.com/richs/richsops/cli/jobscmd"
	_ "github.com/richs/richsops/cli/overviewcmd"
	_ "github.com/richs/richsops/cli/svccmd"
	_ "github.com/richs/richsops/cli/tailcmd"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/sanitize/sanitizetest"
)

// hostileBox is a box where every string richsops reads is hostile: the
// argv of a running job, its crontab line, file names in public tmp, a
// service's status output. It returns the config's path and the job name.
func hostileBox(t *testing.T) (cfgPath, job string) {
	t.Helper()
	bad := sanitizetest.Joined()
	job = fmt.Sprintf("check_item_yahoo_hx%d", os.Getpid()) // a name no other test runs
	dir := sanitizetest.Job(t, job, bad)
	tab := filepath.Join(dir, "crontab")
	os.WriteFile(tab, []byte("0 3 * * * root cd "+dir+" && python manage.py "+job+" "+strings.ReplaceAll(bad, "\n", "")+"\n"), 0o644)
	tmp := filepath.Join(dir, "public", "tmp")
	os.MkdirAll(tmp, 0o755)
	old := time.Now().Add(-30 * 24 * time.Hour)
	for i, s := range sanitizetest.Corpus {
		p := filepath.Join(tmp, fmt.Sprintf("%d-%s.csv", i, sanitizetest.Name(s)))
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	os.WriteFile(filepath.Join(dir, "status.txt"), []byte(bad+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "hostile.log"), []byte(strings.Join(sanitizetest.Corpus, "\n")+"\n"), 0o644)

	cfgPath = filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
lang = "en"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
user = "root"
python = "/bin/sh"
[crontab]
path = "`+tab+`"
reload = ["true"]
[public]
dir = "`+filepath.Join(dir, "public")+`"
folders = ["tmp"]
[database]
dsn = "root@tcp(127.0.0.1:1)/"
[amazon]
captcha_url = "http://127.0.0.1:1/amazon/captcha/"
# loopback only: nothing listens there
[[probes]]
name = "index-linux"
url = "http://127.0.0.1:1/health"
[[jobs]]
name = "`+job+`"
[[services]]
name = "fake"
kind = "command"
status = ["cat", "`+filepath.Join(dir, "status.txt")+`"]
start = ["true"]
stop = ["true"]
restart = ["true"]
`), 0o644)
	return cfgPath, job
}

// TestHostileStringsNeverReachTheTerminal runs every listing and every
// action's preview (answered "no", so nothing is done) and the errors of
// the CLI on a box full of hostile strings: no control byte comes out.
func TestHostileStringsNeverReachTheTerminal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as root, as app.user says")
	}
	cfgPath, job := hostileBox(t)
	bad := sanitizetest.Joined()
	runs := [][]string{
		{"jobs", "list"},
		{"jobs", "list", "--json"},
		{"jobs", "kill", job},
		{"jobs", "pause", job},
		{"jobs", "pause", "--kill", job},
		{"jobs", "run", "--force", "--args", bad, job},
		{"jobs", "resume", job},
		{"jobs", "kill", bad},
		{"public"},
		{"public", "--json"},
		{"public", "clean"},
		{"public", "clean", "--json"},
		{"svc", "list"},
		{"svc", "list", "--json"},
		{"svc", "restart", "fake"},
		{"check"},
		{"check", "--json"},
		{"tail", "-n", "20", filepath.Join(filepath.Dir(cfgPath), "hostile.log")},
		{"tail", filepath.Join(filepath.Dir(cfgPath), bad)},
		{"--host", bad, "jobs", "list"},
		{bad},
	}
	// The previews must show the hostile strings (escaped), or this test
	// would prove nothing.
	mustShow := map[string]string{"jobs kill " + job: `\x1b]52;c;`, "public clean": `\x1b]0;PWNED-TITLE\x07`, "svc list": `\x1bP+q544e`,
		"tail -n 20 " + filepath.Join(filepath.Dir(cfgPath), "hostile.log"): `\x1b]52;c;`}
	for _, args := range runs {
		name := strings.Join(args, " ")
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader("n\n"), &out, &errb)
		sanitizetest.Check(t, name+" (stdout)", out.String())
		sanitizetest.Check(t, name+" (stderr)", errb.String())
		if want, ok := mustShow[name]; ok && !strings.Contains(out.String()+errb.String(), want) {
			t.Errorf("%s (exit %d) does not show the hostile string %q:\n%s\n%s", name, code, want, out.String(), errb.String())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(filepath.Dir(cfgPath), "audit.jsonl")); len(b) > 0 {
		t.Errorf("an action answered no was run: %s", b)
	}
}

// tomlString quotes s for a TOML basic string: control characters as \u
// escapes (TOML has no \x), invalid UTF-8 left out (TOML cannot hold it).
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestHostileServerErrorText: the server's own error text quotes what it
// was sent (here a user name of hostile strings from the config): db
// status and check print it, with nothing a terminal acts on. (MariaDB
// escapes control bytes in that text itself; richsops does not count on it.)
func TestHostileServerErrorText(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	dir := t.TempDir()
	s, err := mysqltest.Start(mysqltest.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	user := strings.NewReplacer(":", "", "@", "", "(", "", ")", "").Replace(sanitizetest.Joined())
	cfgPath := filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
lang = "en"
[database]
dsn = `+tomlString(user+"@unix("+s.Socket+")/")+`
datadir = "`+s.Datadir+`"
restart = ["true"]
[amazon]
captcha_url = "http://127.0.0.1:1/amazon/captcha/"
[[probes]]
name = "index-linux"
url = "http://127.0.0.1:1/health"
`), 0o644)
	for _, args := range [][]string{
		{"db", "status"}, {"db", "status", "--json"}, {"db", "purge", "--to", "mysql-bin.000001"}, {"db", "expire"},
		{"db", "flush"}, {"db", "emergency"}, {"check", "db"},
	} {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader("n\n"), &out, &errb)
		name := strings.Join(args, " ")
		sanitizetest.Check(t, name+" (stdout)", out.String())
		sanitizetest.Check(t, name+" (stderr)", errb.String())
		if name == "db status" && !strings.Contains(out.String()+errb.String(), `Access denied`) {
			t.Errorf("%s (exit %d) does not show the server's error:\n%s\n%s", name, code, out.String(), errb.String())
		}
	}
}
