package headless_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	_ "github.com/richs/richsops/cli/checkcmd"
	_ "github.com/richs/richsops/cli/dbcmd"
	_ "github.com/richs/richsops/cli/forecastcmd"
	_ "github.com/richs/richsops/cli/guardcmd"
	_ "github.com/richs/richsops/cli/hostscmd"
	_ "github.com/richs/richsops/cli/jobscmd"
	_ "github.com/richs/richsops/cli/overviewcmd"
	_ "github.com/richs/richsops/cli/svccmd"
	_ "github.com/richs/richsops/cli/tailcmd"
	_ "github.com/richs/richsops/cli/tuicmd"
	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/history"
)

// sandbox is a box of the test's own: a private mariadbd, a crontab, a
// job whose python is true, public folders, an access log, a service
// whose commands are true. It returns the config's path, the job's name
// and the folder.
func sandbox(t *testing.T) (cfgPath, job, dir string) {
	t.Helper()
	s := mysqltest.StartT(t, "rsjson")
	if err := s.Exec("CREATE DATABASE j1; CREATE TABLE j1.t (i INT); INSERT INTO j1.t VALUES (1); FLUSH BINARY LOGS; FLUSH BINARY LOGS;"); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	job = fmt.Sprintf("check_item_yahoo_js%d", os.Getpid()) // a name no other test runs
	tab := filepath.Join(dir, "crontab")
	os.WriteFile(tab, []byte("0 3 * * * root cd "+dir+" && python manage.py "+job+"\n"), 0o644)
	tmp := filepath.Join(dir, "public", "tmp")
	os.MkdirAll(tmp, 0o755)
	os.MkdirAll(filepath.Join(dir, "public", "images"), 0o755)
	old := time.Now().Add(-30 * 24 * time.Hour)
	p := filepath.Join(tmp, "old.csv")
	os.WriteFile(p, []byte("x"), 0o644)
	os.Chtimes(p, old, old)
	access := filepath.Join(dir, "access.log")
	os.WriteFile(access, []byte(`db1.example - - [01/Dec/2026:10:00:00 +0000] "GET /items/1 HTTP/1.1" 200 512 "-" "curl/8"
db1.example - - [01/Dec/2026:10:01:00 +0000] "GET /items/2 HTTP/1.1" 404 12 "-" "curl/8"
`), 0o644)
	cnf := filepath.Join(dir, "my.cnf")
	os.WriteFile(cnf, []byte("[mysqld]\nexpire_logs_days = 10\n"), 0o644)
	var dump []string
	for _, a := range append(append([]string{"mariadb-dump"}, s.ClientArgs()...), "--single-transaction", "j1") {
		dump = append(dump, fmt.Sprintf("%q", a))
	}
	cfgPath = filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"
state_dir = "`+filepath.Join(dir, "state")+`"
lock_dir = "`+filepath.Join(dir, "locks")+`"
lang = "en"
[history]
path = "`+filepath.Join(dir, "history.db")+`"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
user = "root"
python = "true"
[crontab]
path = "`+tab+`"
reload = ["true"]
[public]
dir = "`+filepath.Join(dir, "public")+`"
folders = ["images", "tmp"]
[database]
dsn = "root@unix(`+s.Socket+`)/"
datadir = "`+s.Datadir+`"
my_cnf = "`+cnf+`"
restart = ["true"]
[backup]
dir = "`+filepath.Join(dir, "backups")+`"
keep = 2
min_free = "1KiB"
dump = [`+strings.Join(dump, ", ")+`]
[amazon]
captcha_url = "http://127.0.0.1:1/amazon/captcha/"
# loopback only: nothing listens there
[[probes]]
name = "index-linux"
url = "http://127.0.0.1:1/health"
[traffic]
log = "nginx"
[[logs]]
name = "nginx"
path = "`+access+`"
[[jobs]]
name = "`+job+`"
[[services]]
name = "fake"
kind = "command"
status = ["echo", "active"]
start = ["true"]
stop = ["true"]
restart = ["true"]
`), 0o644)
	return cfgPath, job, dir
}

// keyRe is a snake_case key.
var keyRe = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// dataMaps are objects whose keys are data, not names: traffic's counts by
// status code and by class (2xx), a process's environment by variable.
var dataMaps = map[string]bool{"status": true, "classes": true, "env": true}

// unknownNulls are the keys where null deliberately means "unknown: could
// not be read" (README, JSON).
var unknownNulls = map[string]bool{"processes": true,
	// forecast: a rate from too few samples; the hours of a disk not filling
	"rate_1h_bytes_per_hour": true, "rate_24h_bytes_per_hour": true, "hours_until_full": true, "more_hours": true}

// durationWords in a key name mean a duration: its unit must be in the name.
var durationWords = []string{"duration", "timeout", "elapsed", "latency", "uptime", "interval", "age", "wait", "took", "delay", "period"}

// walk checks one decoded value at path; key is the key it sits under.
func walk(t *testing.T, name, path, key string, v any) {
	switch x := v.(type) {
	case nil:
		if !unknownNulls[key] {
			t.Errorf("%s: null at %s (an empty list is [], an absent value is left out)", name, path)
		}
	case map[string]any:
		for k, e := range x {
			if !dataMaps[key] && !keyRe.MatchString(k) {
				t.Errorf("%s: key %q at %s is not snake_case", name, k, path)
			}
			walk(t, name, path+"."+k, k, e)
		}
	case []any:
		for i, e := range x {
			walk(t, name, fmt.Sprintf("%s[%d]", path, i), key, e)
		}
	case json.Number:
		if strings.HasSuffix(key, "_ns") {
			t.Errorf("%s: %s is in nanoseconds", name, path)
		}
		for _, w := range durationWords {
			if strings.Contains(key, w) && !strings.HasSuffix(key, "_s") && !strings.HasSuffix(key, "_ms") && !strings.HasSuffix(key, "_days") {
				t.Errorf("%s: %s = %s looks like a duration without its unit in the name", name, path, x)
			}
		}
	}
}

// TestEveryCommandsJSON runs every registered command with --json on the
// sandbox: one valid JSON value on stdout, snake_case keys, no null lists
// (but the documented unknowns), durations in seconds named *_s. A command
// without JSON output refuses --json with exit 2 and prints nothing.
func TestEveryCommandsJSON(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as root, as app.user says")
	}
	cfgPath, job, dir := sandbox(t)
	// Forecasts to print: the datadir filling, / not (its hours null).
	now := time.Now()
	filltest.Add(t, filepath.Join(dir, "history.db"), append(filltest.Hour(history.MetricFreeDatadir, "local", now, 5<<30, 1<<30),
		filltest.Hour(history.MetricFreeRoot, "local", now, 5<<30, -1<<30)...))
	runs := map[string][][]string{
		"version": {{"version"}},
		"config":  {{"config", "show"}, {"config", "check"}, {"config", "path"}},
		"check":   {{"check"}, {"check", "--only", "jobs"}},
		"db": {{"db", "status"}, {"db", "purge", "--yes"}, {"db", "purge", "--yes"}, {"db", "flush", "--yes"},
			{"db", "expire", "--days", "2", "--yes"}},
		"backup":   {{"backup", "--yes"}},
		"forecast": {{"forecast"}},
		"guard":    {{"guard", "--once", "--state", filepath.Join(dir, "guard.json")}},
		"hosts":    {{"hosts"}},
		"jobs":     {{"jobs", "list"}, {"jobs", "kill", job}, {"jobs", "pause", "--yes", job}, {"jobs", "resume", "--yes", job}, {"jobs", "run", "--yes", job}},
		"public":   {{"public"}, {"public", "clean", "--older-than", "1"}},
		"svc":      {{"svc", "list"}, {"svc", "restart", "--yes", "fake"}},
		"traffic":  {{"traffic"}},
	}
	noJSON := map[string][]string{"tail": {"tail", cfgPath}, "tui": {"tui"}}
	for _, c := range cli.Commands() {
		if _, ok := runs[c.Name]; !ok && noJSON[c.Name] == nil {
			t.Errorf("command %s has no case here: add its --json runs (or mark it NoJSON)", c.Name)
		}
		if args, ok := noJSON[c.Name]; ok {
			var out, errb bytes.Buffer
			code := cli.Main(append([]string{"--config", cfgPath, "--json"}, args...), strings.NewReader(""), &out, &errb)
			if code != cli.ExitUsage || out.Len() > 0 || !c.NoJSON {
				t.Errorf("%s --json: exit %d, stdout %q (want 2, nothing; NoJSON %v)", c.Name, code, out.String(), c.NoJSON)
			}
		}
		for _, args := range runs[c.Name] {
			name := strings.Join(args, " ") + " --json"
			var out, errb bytes.Buffer
			code := cli.Main(append([]string{"--config", cfgPath}, append(args, "--json")...), strings.NewReader(""), &out, &errb)
			if code == cli.ExitUsage && c.Name != "check" { // check: 2 is CRIT
				t.Errorf("%s: exit 2: %s", name, errb.String())
				continue
			}
			dec := json.NewDecoder(&out)
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Errorf("%s (exit %d): not JSON: %v\nstderr: %s", name, code, err, errb.String())
				continue
			}
			if err := dec.Decode(new(any)); err != io.EOF {
				t.Errorf("%s: more than one JSON value on stdout (%v)", name, err)
			}
			walk(t, name, "$", "", v)
			if testing.Verbose() {
				t.Logf("%s: exit %d", name, code)
			}
		}
	}
}

// TestExitCodes: bad usage and bad arguments exit 2 in every command
// (check too: its 0/1/2/3 are for the checks' results); an action with
// nothing to act on is done, 0, so that scripts can repeat it.
func TestExitCodes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as root, as app.user says")
	}
	cfgPath, job, _ := sandbox(t)
	for _, c := range []struct {
		args    []string
		code    int
		want    string // in stdout or stderr
		confirm string // RICHSOPS_CONFIRM
	}{
		{[]string{"frobnicate"}, 2, "unknown command", ""},
		{[]string{"check", "--only", "bogus"}, 2, `unknown check "bogus"`, ""},
		{[]string{"check", "--only", "bogus", "--zabbix"}, 2, `unknown check "bogus"`, ""},
		{[]string{"check", "--bogus"}, 2, "--bogus", ""},
		{[]string{"config", "frob"}, 2, "frob", ""},
		{[]string{"db", "purge", "--to", "mysql-bin.999999", "--yes"}, 2, `no binary log named "mysql-bin.999999"`, ""},
		{[]string{"db", "purge", "--to", "a", "--before", "3d"}, 2, "not both", ""},
		{[]string{"db", "expire", "--days", "100", "--yes"}, 2, "between 0 and 99", ""},
		// No backup in the sandbox: the purge may lose point-in-time recovery.
		{[]string{"db", "purge", "--yes"}, 1, "RICHSOPS_CONFIRM=PURGE", ""},
		{[]string{"db", "purge", "--yes"}, 0, "PURGE", "PURGE"},
		{[]string{"db", "purge", "--yes"}, 0, "nothing to purge", "PURGE"}, // again: done already
		{[]string{"jobs", "kill", job}, 0, "nothing running: " + job, ""},
		{[]string{"--lang", "ja", "jobs", "kill", job}, 0, "実行中のものはありません: " + job, ""},
		{[]string{"jobs", "kill", "no_such_job"}, 2, "not a configured job", ""},
		{[]string{"jobs", "frob"}, 2, "frob", ""},
		{[]string{"svc", "restart", "no_such_service"}, 2, "no_such_service", ""},
		{[]string{"hosts", "no_such_host"}, 2, "no_such_host", ""},
		{[]string{"public", "clean", "--older-than", "x"}, 2, "--older-than", ""},
		{[]string{"traffic", "--format", "$remote_addr [$time_local"}, 2, "--format", ""},
		{[]string{"tail", "--json", cfgPath}, 2, "--json", ""},
		{[]string{"guard", "--threshold", "-1"}, 2, "--threshold", ""},
	} {
		name := strings.Join(c.args, " ")
		t.Setenv("RICHSOPS_CONFIRM", c.confirm)
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, c.args...), strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("%s: exit %d (want %d), %q not in\nstdout: %s\nstderr: %s", name, code, c.code, c.want, out.String(), errb.String())
		}
	}
}

// TestJapanese: with --lang ja the help, the usage errors, the headers of
// the listings and the durations in them are Japanese.
func TestJapanese(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as root, as app.user says")
	}
	cfgPath, job, _ := sandbox(t)
	for _, c := range []struct {
		args []string
		want []string // in stdout or stderr
	}{
		{[]string{"--help"}, []string{"使い方: richsops", "共通フラグ", "今すぐデータベースをバックアップ"}},
		{[]string{"jobs", "--help"}, []string{"在庫チェックの一覧", "実行中のものがなければ"}},
		{[]string{"frobnicate"}, []string{`"frobnicate" というコマンドはありません`}},
		{[]string{"jobs", "frob"}, []string{`"frob" というサブコマンドはありません`, "各ジョブ: スケジュール"}},
		{[]string{"check", "--only", "bogus"}, []string{`"bogus" というチェックはありません`, "チェック: "}},
		{[]string{"check", "--only", "jobs"}, []string{"重大 ", "、警告 ", "、不明 "}},
		// The next run is in hours or, in the hour before 03:00, in minutes.
		{[]string{"jobs", "list"}, []string{"ジョブ", "状態", "スケジュール", "次回", "前回", job, "re:（\\d+(時間|分)", "後）"}},
		{[]string{"db", "status"}, []string{"サーバー:", "、稼働 ", "秒", "バイナリログ: "}},
		{[]string{"svc", "list"}, []string{"サービス", "プローブ", "応答時間"}},
		{[]string{"public"}, []string{"フォルダ", "ファイル数"}},
		{[]string{"db", "purge", "--to", "mysql-bin.999999"}, []string{`"mysql-bin.999999" という名前のバイナリログはありません`}},
	} {
		name := strings.Join(c.args, " ")
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath, "--lang", "ja"}, c.args...), strings.NewReader(""), &out, &errb)
		for _, w := range c.want {
			found := strings.Contains(out.String()+errb.String(), w)
			if re, ok := strings.CutPrefix(w, "re:"); ok {
				found = regexp.MustCompile(re).MatchString(out.String() + errb.String())
			}
			if !found {
				t.Errorf("%s (exit %d): %q not in\nstdout: %s\nstderr: %s", name, code, w, out.String(), errb.String())
			}
		}
	}
}
