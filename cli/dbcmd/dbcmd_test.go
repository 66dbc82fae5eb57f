package dbcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/mysql"
)

func TestParseBefore(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.Local)
	for in, want := range map[string]time.Time{
		"2026-01-02":          time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local),
		"2026-01-02 03:04:05": time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local),
		"3d":                  now.Add(-72 * time.Hour),
		"12h":                 now.Add(-12 * time.Hour),
	} {
		got, err := mysql.ParseBefore(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := mysql.ParseBefore("yesterday", now); err == nil {
		t.Error("bad time accepted")
	}
}

// The headless commands against a real server, through cli.Main (gate,
// audit and all).
func TestCommands(t *testing.T) {
	s := mysqltest.StartT(t, "rscli")
	dir := s.Dir
	if err := s.Exec("CREATE DATABASE c1; CREATE TABLE c1.t (i INT); INSERT INTO c1.t VALUES (1),(2); FLUSH BINARY LOGS; FLUSH BINARY LOGS; FLUSH BINARY LOGS;"); err != nil {
		t.Fatal(err)
	}
	cnf := filepath.Join(dir, "my.cnf")
	os.WriteFile(cnf, []byte("[mysqld]\nexpire_logs_days = 10\n"), 0o644)
	q := func(a []string) string {
		var b []string
		for _, x := range a {
			b = append(b, fmt.Sprintf("%q", x))
		}
		return "[" + strings.Join(b, ", ") + "]"
	}
	// The dump connects as the DSN says: richsops asks that server whether
	// it logs, and records the backup's binary-log position.
	dump := []string{"mariadb-dump", "--single-transaction", "c1"}
	conf := fmt.Sprintf(`audit_log = %q
state_dir = %q
lock_dir = %q
[history]
path = %q
[database]
dsn = %q
datadir = %q
my_cnf = %q
restart = ["true"]
[backup]
dir = %q
keep = 2
min_free = "1KiB"
dump = %s
`, filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "state"), filepath.Join(dir, "locks"), filepath.Join(dir, "history.db"), "root@unix("+s.Socket+")/", s.Datadir, cnf, filepath.Join(dir, "backups"), q(dump))
	cfgPath := filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(conf), 0o644)
	main := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config", cfgPath}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := main("db", "status", "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	var st mysql.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Server == nil || len(st.Binlogs) != 4 {
		t.Fatalf("status json: %v %s", err, out)
	}
	if strings.Contains(out, `"forecast"`) {
		t.Errorf("no history database, a forecast: %s", out)
	}
	if code, out, _ = main("db", "status"); code != 0 || !strings.Contains(out, "(active)") || !strings.Contains(out, "expire_logs_days = 10") {
		t.Errorf("status text: %s", out)
	}
	statusForecast(t, filepath.Join(dir, "history.db"), main)
	if code, _, errs = main("db", "purge"); code == 0 || !strings.Contains(errs, "not confirmed") {
		t.Errorf("purge without --yes: %d %s", code, errs)
	}
	// No backup yet: nothing shows the logs are not needed for
	// point-in-time recovery, so --yes alone is not enough.
	if code, out, errs = main("--yes", "db", "purge"); code != cli.ExitFail || !strings.Contains(errs, "RICHSOPS_CONFIRM="+mysql.PurgeWord) ||
		!strings.Contains(out+errs, "NO VERIFIED BACKUP RECORDS A BINARY-LOG POSITION") {
		t.Errorf("purge without a backup, --yes only: %d %s %s", code, out, errs)
	}
	if code, out, errs = main("--yes", "db", "expire", "--days", "1", "--flush"); code != 0 || !strings.Contains(out, "flushed") {
		t.Errorf("expire: %d %s %s", code, out, errs)
	}
	if data, _ := os.ReadFile(cnf); string(data) != "[mysqld]\nexpire_logs_days = 1\n" {
		t.Errorf("my.cnf: %q", data)
	}
	if code, _, errs = main("--yes", "db", "emergency"); code == 0 || !strings.Contains(errs, "not needed") {
		t.Errorf("emergency with room on the disk: %d %s", code, errs)
	}
	if code, _, errs = main("--readonly", "--yes", "backup"); code == 0 || !strings.Contains(errs, "read-only") {
		t.Errorf("read-only backup: %d %s", code, errs)
	}
	if code, out, errs = main("--yes", "backup"); code != 0 || !strings.Contains(out, "backup db-") || !strings.Contains(out, ", at mysql-bin.") {
		t.Errorf("backup: %d %s %s", code, out, errs)
	}
	metas, _ := filepath.Glob(filepath.Join(dir, "backups", "db-*.sql.gz.json"))
	if len(metas) != 1 {
		t.Fatalf("backup metadata %v", metas)
	}
	data, _ := os.ReadFile(metas[0])
	var meta struct{ Binlog struct{ File string } }
	if err := json.Unmarshal(data, &meta); err != nil || meta.Binlog.File == "" {
		t.Fatalf("metadata %s: %v", data, err)
	}
	if err := s.Exec("FLUSH BINARY LOGS; FLUSH BINARY LOGS;"); err != nil {
		t.Fatal(err)
	}
	// Up to the backup's log: only older logs go, a plain confirmation.
	if code, out, errs = main("--yes", "db", "purge", "--to", meta.Binlog.File); code != 0 || !strings.Contains(out+errs, "all older than the last verified backup") {
		t.Errorf("purge to the backup's log: %d %s %s", code, out, errs)
	}
	// The default purge reaches the backup's log: the typed word.
	if code, out, errs = main("--yes", "db", "purge"); code != cli.ExitFail || !strings.Contains(out+errs, meta.Binlog.File+" is newer than the last verified backup") {
		t.Errorf("purge past the backup, --yes only: %d %s %s", code, out, errs)
	}
	t.Setenv("RICHSOPS_CONFIRM", mysql.PurgeWord)
	if code, out, errs = main("--yes", "db", "purge"); code != 0 || !strings.Contains(out, "purged 1 binary logs") {
		t.Errorf("purge confirmed: %d %s %s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "backups", "db-*.sql.gz"))
	if len(files) != 1 {
		t.Errorf("backups %v", files)
	}
	if code, _, _ = main("db", "purge", "--to", "x", "--before", "1d"); code != cli.ExitUsage {
		t.Errorf("bad usage exit %d", code)
	}
	audit, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	for _, a := range []string{"db.purge", "db.expire", "db.flush", "db.backup"} {
		if !strings.Contains(string(audit), a) {
			t.Errorf("audit lacks %s", a)
		}
	}

	// 0 days is "never expire": said so, and only with the typed word.
	if code, out, errs = main("--yes", "db", "expire", "--days", "0"); code != cli.ExitFail || !strings.Contains(errs, "RICHSOPS_CONFIRM="+mysql.NeverWord) ||
		!strings.Contains(out+errs, "NEVER expire") || strings.Contains(out, "set to 0 days") {
		t.Errorf("expire 0 with --yes only: %d\n%s%s", code, out, errs)
	}
	if data, _ := os.ReadFile(cnf); string(data) != "[mysqld]\nexpire_logs_days = 1\n" {
		t.Errorf("my.cnf changed without the typed word: %q", data)
	}
	t.Setenv("RICHSOPS_CONFIRM", mysql.NeverWord)
	if code, out, errs = main("--yes", "db", "expire", "--days", "0"); code != 0 || !strings.Contains(out, "NEVER expire") {
		t.Errorf("expire 0 confirmed: %d\n%s%s", code, out, errs)
	}

	// The server answers, but my.cnf and the disk cannot be read: exit 1,
	// naming both, in text and JSON.
	broken := strings.Replace(strings.Replace(conf, fmt.Sprintf("my_cnf = %q", cnf), fmt.Sprintf("my_cnf = %q", filepath.Join(dir, "no", "my.cnf")), 1),
		fmt.Sprintf("datadir = %q", s.Datadir), fmt.Sprintf("datadir = %q", filepath.Join(dir, "no", "datadir")), 1)
	os.WriteFile(cfgPath, []byte(broken), 0o644)
	for _, args := range [][]string{{"db", "status"}, {"db", "status", "--json"}} {
		if code, out, errs = main(args...); code != cli.ExitFail || !strings.Contains(errs, "could not read my.cnf, disk") {
			t.Errorf("%q with my.cnf and datadir unreadable: exit %d\n%s%s", args, code, out, errs)
		}
	}
}

// A server that does not answer: `db status` exits 1 in text and in JSON
// (the JSON still says why), as docs/db.md promises.
func TestStatusExitsOneWhenTheServerDoesNotAnswer(t *testing.T) {
	port := freeport.For(t) // nothing listens there
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("audit_log = %q\n[database]\ndsn = \"root@tcp(127.0.0.1:%d)/\"\ndatadir = %q\n",
		filepath.Join(dir, "audit.jsonl"), port, dir)), 0o644)
	for _, json := range []bool{false, true} {
		args := []string{"--config", cfgPath, "db", "status"}
		if json {
			args = append(args, "--json")
		}
		var out, errb bytes.Buffer
		if code := cli.Main(args, strings.NewReader(""), &out, &errb); code != 1 {
			t.Errorf("json=%v: exit %d, want 1 (%s)", json, code, errb.String())
		}
		if !strings.Contains(out.String(), "connection refused") {
			t.Errorf("json=%v: the reason is missing: %s", json, out.String())
		}
	}
}

// The status says "up" for an error reply and lists the refused index
// entries, their escapes made visible.
func TestStatusLinesErrorReplyAndRefusedEntries(t *testing.T) {
	for _, c := range []struct {
		name string
		st   mysql.Status
		want string
	}{
		{"error reply", mysql.Status{Answers: true, ServerErr: "Error 1045 (28000): Access denied"}, "server:   UP, BUT ANSWERS WITH AN ERROR: Error 1045"},
		{"no answer", mysql.Status{ServerErr: "no answer within 2s"}, "server:   NOT ANSWERING: no answer within 2s"},
		{"refused entry", mysql.Status{IndexRefused: []string{"index entry \"../\x1b[2Jx\" resolves outside"}}, `REFUSED:  index entry "../\x1b[2Jx"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := strings.Join(StatusLines(&c.st, nil), "\n")
			if !strings.Contains(out, c.want) || strings.Contains(out, "\x1b") {
				t.Errorf("lacks %q:\n%s", c.want, out)
			}
		})
	}
}

// statusForecast: with the datadir filling in the history database, db
// status says when it is full and what the default purge frees, in text
// and in JSON, as the Database tab does.
func statusForecast(t *testing.T, dbPath string, main func(args ...string) (int, string, string)) {
	t.Helper()
	filltest.Add(t, dbPath, filltest.Hour(history.MetricFreeDatadir, "local", time.Now(), 5<<30, 1<<30))
	code, out, errs := main("db", "status")
	if code != 0 || !strings.Contains(out, "forecast: datadir ") || !strings.Contains(out, "full in about 5.0 h (5.0 GiB free, filling 1.0 GiB/h over the last hour)") ||
		!strings.Contains(out, "fix:      purge to mysql-bin.000003 frees ") {
		t.Errorf("status text: %d %s %s", code, out, errs)
	}
	_, out, _ = main("db", "status", "--json")
	var v struct {
		Forecast *forecast.Summary `json:"forecast"`
		Purge    *forecast.Purge   `json:"forecast_purge"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Forecast == nil || v.Purge == nil {
		t.Fatalf("status json: %v %s", err, out)
	}
	if f := v.Forecast; f.Disk != "datadir" || f.Level != "warn" || f.HoursUntilFull == nil || *f.HoursUntilFull < 4.9 || *f.HoursUntilFull > 5 {
		t.Errorf("forecast %+v", f)
	}
	if p := v.Purge; p.To != "mysql-bin.000003" || p.Logs != 2 || p.Bytes <= 0 || p.Hours == nil {
		t.Errorf("purge %+v", p)
	}
}
