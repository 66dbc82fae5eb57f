package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// TestHeadScan: the position is found in the header whatever the writes'
// boundaries, in each server's form, and not looked for past the header.
func TestHeadScan(t *testing.T) {
	head := "-- MariaDB dump 10.19\n--\n-- Position to start replication or point-in-time recovery from\n--\n\n"
	for _, c := range []struct {
		name, dump string
		want       string // Position.String() and GTID; "" = none
	}{
		{"master-data=2", head + "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000123', MASTER_LOG_POS=4567;\n\nCREATE TABLE t;\n", "mysql-bin.000123:4567"},
		{"master-data=1", head + "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000007', MASTER_LOG_POS=4;\n", "mysql-bin.000007:4"},
		{"mysql 8 source", head + "-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', SOURCE_LOG_POS=157;\n", "binlog.000002:157"},
		{"mariadb gtid", head + "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=342;\n-- SET GLOBAL gtid_slave_pos='0-1-5';\n", "mysql-bin.000003:342 0-1-5"},
		{"none", head + "CREATE TABLE t;\n", ""},
		{"after the first table is data", head + "CREATE TABLE t (x text);\nINSERT INTO t VALUES ('\n-- CHANGE MASTER TO MASTER_LOG_FILE=''x.1'', MASTER_LOG_POS=1;');\n-- CHANGE MASTER TO MASTER_LOG_FILE='x.2', MASTER_LOG_POS=2;\n", ""},
		{"past the header's bound", head + strings.Repeat("-- pad\n", headMax/7+1) + "-- CHANGE MASTER TO MASTER_LOG_FILE='x.3', MASTER_LOG_POS=3;\n", ""},
	} {
		for _, step := range []int{1, 7, len(c.dump)} {
			h := &headScan{}
			for i := 0; i < len(c.dump); i += step {
				h.Write([]byte(c.dump[i:min(i+step, len(c.dump))]))
			}
			got := ""
			if p := h.position(); p != nil {
				got = strings.TrimSpace(p.String() + " " + p.GTID)
			}
			if got != c.want {
				t.Errorf("%s, writes of %d: %q, want %q", c.name, step, got, c.want)
			}
		}
	}
}

// dsnBackup dumps s's rt database through the DSN, as configured on the
// box: the dump's server is the DSN's, so richsops asks it about binlogs.
func dsnBackup(dir string, s *mysqltest.Server) *Backup {
	return &Backup{Cfg: config.Backup{Dir: dir, Keep: 3, Dump: []string{"mariadb-dump", "--no-defaults", "--single-transaction", "rt"}, Level: 6, MinFree: "1KiB"},
		DSN: s.DSN, Host: host.NewLocal()}
}

func takeBackup(t *testing.T, b *Backup) (Plan, gate.Result) {
	t.Helper()
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := gate.New(false, "").Do(context.Background(), b.Action(p, nil))
	if !res.OK() {
		t.Fatal(res.Err)
	}
	return p, res
}

func readMetaFile(t *testing.T, path string) Meta {
	t.Helper()
	data, err := os.ReadFile(path + MetaSuffix)
	if err != nil {
		t.Fatal(err)
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBackupRecordsPosition: with binary logging on, the dump is asked for
// its position, which is the server's own at that moment, recorded beside
// the backup and found by LastVerified.
func TestBackupRecordsPosition(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := dsnBackup(dir, s)
	query(t, s, "FLUSH BINARY LOGS")
	p, res := takeBackup(t, b)
	if !p.MasterData {
		t.Fatalf("binary logging on, but no %s: %q", MasterData, p.Argv)
	}
	if p.Argv[1] != "--no-defaults" || !strings.Contains(strings.Join(p.Argv, " "), MasterData+" ") {
		t.Errorf("argv %q: the option goes after --no-defaults and before the database", p.Argv)
	}
	st := strings.Fields(query(t, s, "SHOW MASTER STATUS"))
	m := readMetaFile(t, p.Path)
	// The server may log a checkpoint after the dump's read lock: the
	// position is in the current log, not past its end.
	end, _ := strconv.ParseInt(st[1], 10, 64)
	if m.Binlog == nil || m.Binlog.File != st[0] || m.Binlog.Pos <= 4 || m.Binlog.Pos > end || !m.Verified || m.Backup != filepath.Base(p.Path) {
		t.Fatalf("meta %+v (binlog %+v), server at %v", m, m.Binlog, st)
	}
	if !strings.Contains(res.Outcome.Summary, ", at "+m.Binlog.String()) || !strings.Contains(strings.Join(res.Outcome.Details, "\n"), "binary-log position "+m.Binlog.String()+" recorded in "+filepath.Base(p.Path)+MetaSuffix) {
		t.Errorf("outcome %q %q", res.Outcome.Summary, res.Outcome.Details)
	}
	last, err := b.LastVerified(context.Background())
	if err != nil || last.Meta == nil || *last.Meta.Binlog != *m.Binlog {
		t.Fatalf("LastVerified %+v %v", last, err)
	}
	// Rotation takes the metadata with its backup.
	b.Cfg.Keep = 1
	takeBackup(t, b)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 || files[0]+MetaSuffix != files[1] || files[0] == p.Path {
		t.Errorf("after rotation to one: %q", files)
	}
}

// TestBackupWithoutBinlogs: a server that writes no binary logs is dumped
// as before (no --master-data, which it would refuse) and its backup
// records that it has no position.
func TestBackupWithoutBinlogs(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	tmp, err := os.MkdirTemp("", "rsnb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	s, err := mysqltest.Start(mysqltest.Options{Dir: tmp, Extra: []string{"--skip-log-bin"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	query(t, s, "CREATE DATABASE rt; CREATE TABLE rt.t (x INT); INSERT INTO rt.t VALUES (1)")
	dir := t.TempDir()
	b := dsnBackup(dir, s)
	p, res := takeBackup(t, b)
	if p.MasterData || strings.Contains(strings.Join(p.Argv, " "), "master-data") {
		t.Errorf("argv %q", p.Argv)
	}
	gatePreview := strings.Join(b.Action(p, nil).Preview, "\n")
	if !strings.Contains(gatePreview, "records no binary-log position: the server writes no binary logs") {
		t.Errorf("preview:\n%s", gatePreview)
	}
	if m := readMetaFile(t, p.Path); m.Binlog != nil || !m.Verified {
		t.Errorf("meta %+v", m)
	}
	if !strings.Contains(strings.Join(res.Outcome.Details, "\n"), "no binary-log position in the dump") {
		t.Errorf("details %q", res.Outcome.Details)
	}
	last, err := b.LastVerified(context.Background())
	if err != nil || last.Meta != nil || len(last.Notes) != 1 || !strings.Contains(last.Notes[0], "no binary-log position recorded") {
		t.Errorf("LastVerified %+v %v", last, err)
	}
}

// TestLastVerified: metadata missing, corrupt, unverified, naming another
// backup or without a position never counts, each with its reason; the
// newest good one does; what comes from the files is sanitized.
func TestLastVerified(t *testing.T) {
	dir := t.TempDir()
	put := func(name, meta string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if meta != "" {
			if err := os.WriteFile(filepath.Join(dir, name+MetaSuffix), []byte(meta), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	good := func(name, file string) string {
		b, _ := json.Marshal(Meta{Backup: name, Verified: true, Binlog: &Position{File: file, Pos: 4567}})
		return string(b)
	}
	put("db-20261125-030000.sql.gz", good("db-20261125-030000.sql.gz", "mysql-bin.000100"))
	put("db-20261126-030000.sql.gz", good("db-20261126-030000.sql.gz", "mysql-bin.000119\x1b[2J"))
	put("db-20261127-030000.sql.gz", `{"backup": "db-20261127-030000.sql.gz", "verified": false, "binlog": {"file": "x", "pos": 1}}`)
	put("db-20261128-030000.sql.gz", good("db-20261120-030000.sql.gz", "mysql-bin.000120"))
	put("db-20261129-030000.sql.gz", `{"backup": "db-20261129`)
	put("db-20261130-030000.sql.gz", "")
	put("db-20261130-040000.sql.gz", `{"backup": "db-20261130-040000.sql.gz", "x": "`+strings.Repeat("x", maxMeta)+`"}`)
	put("db-20261201-030000.sql.gz"+Partial, "")
	put("db-20261201-030000.sql.gz\x1b[31m", good("db-20261201-030000.sql.gz\x1b[31m", "mysql-bin.000121"))
	b := &Backup{Cfg: config.Backup{Dir: dir}, Host: host.NewLocal()}
	last, err := b.LastVerified(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if last.Meta == nil || last.Meta.Backup != "db-20261125-030000.sql.gz" {
		t.Fatalf("last %+v", last.Meta)
	}
	want := []string{
		"db-20261130-040000.sql.gz: metadata corrupt: too large",
		"db-20261130-030000.sql.gz: no metadata",
		"db-20261129-030000.sql.gz: metadata corrupt: unexpected end of JSON input",
		"db-20261128-030000.sql.gz: metadata corrupt: it names another backup",
		"db-20261127-030000.sql.gz: not verified",
		"db-20261126-030000.sql.gz: metadata corrupt: binary-log file name with unexpected characters",
	}
	if len(last.Notes) != len(want) {
		t.Fatalf("notes %q", last.Notes)
	}
	for i, w := range want {
		if !strings.HasPrefix(last.Notes[i], w) || strings.Contains(last.Notes[i], "\x1b") {
			t.Errorf("note %d: %q, want %q…", i, last.Notes[i], w)
		}
	}
	// The listing shows each backup's position, or why its metadata is bad.
	files, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = f.MetaErr
		if f.Binlog != nil {
			got[f.Name] = f.Binlog.String()
		}
	}
	for name, want := range map[string]string{
		"db-20261125-030000.sql.gz": "mysql-bin.000100:4567", "db-20261130-030000.sql.gz": "",
		"db-20261129-030000.sql.gz": "metadata corrupt: unexpected end of JSON input",
		"db-20261126-030000.sql.gz": "metadata corrupt: binary-log file name with unexpected characters",
	} {
		if got[name] != want {
			t.Errorf("List: %s: %q, want %q", name, got[name], want)
		}
	}
	for _, c := range []struct{ name, dir, note string }{
		{"missing folder", filepath.Join(dir, "none"), "no finished backup in "},
		{"no folder configured", "", "no backup folder configured"},
		{"hostile folder name", filepath.Join(dir, "x\x1b]0;owned\x07"), "no finished backup in "},
	} {
		b.Cfg.Dir = c.dir
		l, err := b.LastVerified(context.Background())
		if err != nil || l.Meta != nil || len(l.Notes) != 1 || !strings.HasPrefix(l.Notes[0], c.note) || strings.ContainsAny(l.Notes[0], "\x1b\x07") {
			t.Errorf("%s: %+v %v", c.name, l, err)
		}
	}
	// A folder that cannot be read is a fault, not "no backup".
	file := filepath.Join(dir, "db-20261125-030000.sql.gz")
	b.Cfg.Dir = file
	if _, err := b.LastVerified(context.Background()); err == nil {
		t.Error("a file as the folder: no error")
	}
}

// TestPlanPosition: whether the dump is asked for its position, and when
// the server is asked whether it logs at all.
func TestPlanPosition(t *testing.T) {
	own := []string{"mariadb-dump", "--socket=/run/x.sock", "--all-databases"}
	for _, c := range []struct {
		name   string
		dump   []string
		logBin func(context.Context) (bool, error)
		want   string // MasterData OwnPosition Upstream, or the error
		argv   string // the dump argv that runs (without the connection's options)
	}{
		{"logs", []string{"mysqldump", "--no-defaults", "--single-transaction", "--all-databases"}, func(context.Context) (bool, error) { return true, nil },
			"true false false", "mysqldump --no-defaults --master-data=2 --single-transaction --all-databases"},
		{"no logs", []string{"mysqldump", "--all-databases"}, func(context.Context) (bool, error) { return false, nil },
			"false false false", "mysqldump --all-databases"},
		{"cannot ask", []string{"mysqldump", "--all-databases"}, func(context.Context) (bool, error) { return false, errors.New("no answer within 5s") },
			"asking the server whether it writes binary logs (for the backup's position): no answer within 5s", ""},
		{"own server", own, nil, "false false false", strings.Join(own, " ")},
		{"own option", append(own, "--master-data=2"), nil, "false true false", strings.Join(own, " ") + " --master-data=2"},
		{"a replica's upstream", append(own, "--dump-slave=2"), nil, "false false true", strings.Join(own, " ") + " --dump-slave=2"},
	} {
		b := &Backup{Cfg: config.Backup{Dump: c.dump}, DSN: "root@unix(/run/mysqld/mysqld.sock)/", LogBin: c.logBin}
		p := Plan{Dump: c.dump}
		var err error
		if p.Conn, err = b.Server(); err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := b.planPosition(context.Background(), &p); err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprint(p.MasterData, p.OwnPosition, p.Upstream)
		}
		if got != c.want || c.argv != "" && strings.Join(p.dumpArgv(), " ") != c.argv {
			t.Errorf("%s: %s, argv %q", c.name, got, p.dumpArgv())
		}
	}
}
