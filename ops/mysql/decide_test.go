package mysql

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/host"
)

// An error reply means the server is up: with a wrong login or a
// connection limit reached, the emergency path is refused (the disk
// threshold is 0, so only the server decides) and nothing is removed.
func TestEmergencyRefusedOnErrorReply(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 2)
	must(t, s.Exec("CREATE USER IF NOT EXISTS 'rs_one'@'localhost' IDENTIFIED BY 'pw' WITH MAX_USER_CONNECTIONS 1; GRANT ALL ON *.* TO 'rs_one'@'localhost'"))
	hold, err := sql.Open("mysql", "rs_one:pw@unix("+s.Socket+")/")
	must(t, err)
	defer hold.Close()
	hold.SetMaxOpenConns(1)
	conn, err := hold.Conn(context.Background()) // the one connection rs_one may have
	must(t, err)
	defer conn.Close()
	for _, c := range []struct{ name, dsn, code string }{
		{"wrong password", "rs_one:wrong@unix(" + s.Socket + ")/", "1045"},
		{"unknown user", "rs_nobody:x@unix(" + s.Socket + ")/", "1045"},
		{"user connection limit", "rs_one:pw@unix(" + s.Socket + ")/", "1226"},
	} {
		t.Run(c.name, func(t *testing.T) { refusedOnReply(t, s, c.dsn, c.code) })
	}
	// Too many connections (1040) needs a server of its own: max_connections 1
	// and a user without admin rights holding every slot it may take.
	t.Run("too many connections", func(t *testing.T) {
		s2, err := mysqltest.Start(mysqltest.Options{Dir: t.TempDir(), Extra: []string{"--max-connections=1"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s2.Kill)
		makeLogs(t, s2, 2)
		must(t, s2.Exec("CREATE USER 'rs_plain'@'localhost' IDENTIFIED BY 'pw'"))
		held, err := sql.Open("mysql", "rs_plain:pw@unix("+s2.Socket+")/")
		must(t, err)
		defer held.Close()
		for i := 0; ; i++ { // hold connections until the server refuses one
			c, err := held.Conn(context.Background())
			if err != nil {
				if !strings.Contains(err.Error(), "1040") || i == 0 {
					t.Fatalf("after %d connections: %v", i, err)
				}
				break
			}
			defer c.Close()
		}
		refusedOnReply(t, s2, "rs_plain:pw@unix("+s2.Socket+")/", "1040")
	})
}

// refusedOnReply: through dsn the server answers with error code; the
// status says it is up, and the emergency path is refused, saying why.
func refusedOnReply(t *testing.T, s *mysqltest.Server, dsn, code string) {
	t.Helper()
	d := testDB(t, s, filepath.Join(t.TempDir(), "none.cnf"))
	d.Client.Close()
	var err error
	d.Cfg.DSN, d.Cfg.DiskFullPercent, d.Cfg.Restart = dsn, 0, []string{"true"}
	d.Client, err = NewClient(dsn, 2*time.Second)
	must(t, err)
	st := d.Status(context.Background())
	if !strings.Contains(st.ServerErr, code) || !st.Answers || st.Emergency {
		t.Fatalf("status: error %q, answers %v, emergency %v", st.ServerErr, st.Answers, st.Emergency)
	}
	oldest := filepath.Join(s.Datadir, "mysql-bin.000001")
	_, statErr := os.Stat(oldest)
	_, err = d.PlanEmergency(context.Background())
	if err == nil || !strings.Contains(err.Error(), "answers, with an error") || !strings.Contains(err.Error(), code) {
		t.Fatalf("planned: %v", err)
	}
	if _, err := os.Stat(oldest); (err == nil) != (statErr == nil) {
		t.Fatal("the oldest log changed")
	}
}

// The decision of the emergency path, by the kind of error.
func TestCannotServe(t *testing.T) {
	dir := t.TempDir()
	c, err := NewClient("root@unix("+filepath.Join(dir, "no.sock")+")/", time.Second)
	must(t, err)
	defer c.Close()
	if err := c.serves(context.Background()); !cannotServe(err) {
		t.Errorf("no socket: %v taken for a server that serves", err)
	}
	if cannotServe(nil) {
		t.Error("nil")
	}
}

// A really full disk: the binary log writer waits "for someone to free
// space" holding the log's lock, so a ping and SELECT 1 answer while SHOW
// BINARY LOGS (and purge) hang. The path is offered, and it frees the oldest
// log; the restart command kills the stuck server and starts it again.
func TestEmergencyWhenStatementsHangOnFullDisk(t *testing.T) {
	if m := mysqltest.Missing(); m != "" {
		needServer(t)
	}
	// Room inside a table's file, so that only the binary log runs out.
	s, mnt, dir := logsOnTmpfs(t, "CREATE TABLE e.room (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT) ENGINE=InnoDB;"+
		"INSERT INTO e.room (v) SELECT v FROM e.r; INSERT INTO e.room (v) SELECT v FROM e.room; DELETE FROM e.room;")
	time.Sleep(2 * time.Second) // the purge of the deleted rows
	fill(t, mnt, 0)
	go s.Exec("INSERT INTO e.room (v) SELECT v FROM e.r LIMIT 3000") // hangs until restarted
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(s.ErrorLog())
		if strings.Contains(string(b), "Waiting for someone to free space") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never waited for space:\n%s", tailString(string(b), 10))
		}
		time.Sleep(100 * time.Millisecond)
	}

	script := filepath.Join(dir, "restart.sh")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\n"+
		"pid=$(cat "+s.PidFile()+")\nkill -9 $pid\nwhile kill -0 $pid 2>/dev/null; do sleep 0.1; done\n"+
		"setsid "+host.ShellQuote(s.Args)+" >"+filepath.Join(dir, "restart.out")+" 2>&1 </dev/null &\n"), 0o755))
	d := emergencyDB(t, s, dir, script)
	d.StartWait = 60 * time.Second
	ctx := context.Background()
	if _, _, err := d.Client.rows(ctx, "SELECT 1"); err != nil {
		t.Fatalf("the scenario needs a server that still answers SELECT 1: %v", err)
	}
	st := d.Status(ctx)
	if !st.Emergency || st.Answers {
		t.Fatalf("no emergency: disk %.1f%%, answers %v, error %q", st.DiskPercent(), st.Answers, st.ServerErr)
	}
	plan, err := d.PlanEmergency(ctx)
	must(t, err)
	if plan.Oldest != "./mysql-bin.000001" {
		t.Fatalf("oldest %q", plan.Oldest)
	}
	res := run(t, d.Emergency(plan))
	details := strings.Join(res.Outcome.Details, "\n")
	if !res.OK() {
		out, _ := os.ReadFile(filepath.Join(dir, "restart.out"))
		t.Fatalf("%v\n%s\nrestart.out: %s", res.Err, details, out)
	}
	if _, err := os.Stat(plan.File); !os.IsNotExist(err) {
		t.Errorf("oldest log still there: %v", err)
	}
	if !strings.Contains(details, "server answers") {
		t.Errorf("outcome:\n%s", details)
	}
	t.Cleanup(func() {
		for _, pid := range mysqltest.Pids("mariadbd", "--datadir="+s.Datadir) {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	})
}

// Index entries are input written by another user: an entry that does not
// resolve to a regular file directly inside the datadir is refused by the
// emergency path, the purge preview and the status, and never removed.
func TestIndexEntriesOutsideDatadirRefused(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	cases := []struct {
		name  string
		entry func(datadir string) string
	}{
		{"dot-dot", func(string) string { return "../" + filepath.Base(outside) + "/victim" }},
		{"dot-dot after a folder", func(string) string { return "./sub/../../" + filepath.Base(outside) + "/victim" }},
		{"absolute elsewhere", func(string) string { return victim }},
		{"a folder below", func(dd string) string {
			must(t, os.MkdirAll(filepath.Join(dd, "sub"), 0o755))
			must(t, os.WriteFile(filepath.Join(dd, "sub", "victim"), []byte("v"), 0o644))
			return "./sub/victim"
		}},
		{"symlink leading out", func(dd string) string {
			must(t, os.Symlink(victim, filepath.Join(dd, "mysql-bin.000001")))
			return "./mysql-bin.000001"
		}},
		{"the active log named first", func(dd string) string { return "./mysql-bin.000002" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The datadir is beside outside, so "../" reaches it.
			datadir := filepath.Join(filepath.Dir(outside), filepath.Base(outside)+"-data")
			must(t, os.MkdirAll(datadir, 0o755))
			t.Cleanup(func() { os.RemoveAll(datadir) })
			must(t, os.WriteFile(victim, []byte("keep me"), 0o644))
			must(t, os.WriteFile(filepath.Join(datadir, "mysql-bin.000002"), []byte("active"), 0o644))
			idx := filepath.Join(datadir, "mysql-bin.index")
			must(t, os.WriteFile(idx, []byte(c.entry(datadir)+"\n./mysql-bin.000002\n"), 0o644))
			must(t, os.WriteFile(filepath.Join(datadir, "my.cnf"), []byte("[mysqld]\nlog_bin_index = "+idx+"\n"), 0o644))
			d := downDB(t, datadir)
			ctx := context.Background()
			if p, err := d.PlanEmergency(ctx); err == nil {
				res := run(t, d.Emergency(p))
				t.Errorf("planned %s; ran: %v", p.File, res.Err)
			}
			if c.name != "the active log named first" {
				st := d.Status(ctx)
				if len(st.IndexRefused) != 1 || len(st.Binlogs) != 1 || st.Binlogs[0].Name != "mysql-bin.000002" {
					t.Errorf("status: refused %q, binlogs %+v", st.IndexRefused, st.Binlogs)
				}
				if _, err := d.purgeEntries(ctx, &Server{BinlogIdx: idx}); err == nil || !strings.Contains(err.Error(), "refusing to purge") {
					t.Errorf("purge preview: %v", err)
				}
			}
			if b, err := os.ReadFile(victim); err != nil || string(b) != "keep me" {
				t.Fatalf("outside file: %q %v", b, err)
			}
			if _, err := os.Stat(filepath.Join(datadir, "mysql-bin.000002")); err != nil {
				t.Fatalf("active log: %v", err)
			}
		})
	}
}

// A log replaced between the preview and the run (same name, another
// file) is not removed.
func TestEmergencyChecksIdentity(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.000001"), []byte("old"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.000002"), []byte("new"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.index"), []byte("./mysql-bin.000001\n./mysql-bin.000002\n"), 0o600))
	d := downDB(t, dir)
	plan, err := d.PlanEmergency(context.Background())
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "other"), []byte("old"), 0o600))
	must(t, os.Rename(filepath.Join(dir, "other"), filepath.Join(dir, "mysql-bin.000001")))
	if res := run(t, d.Emergency(plan)); res.OK() || !strings.Contains(res.Err.Error(), "changed since the preview") {
		t.Fatalf("ran on a replaced file: %v", res.Err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "mysql-bin.000001")); string(b) != "old" {
		t.Fatal("the replacement was removed")
	}
}
