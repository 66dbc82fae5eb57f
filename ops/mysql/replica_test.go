package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/mysqltest"
)

// bigTxnBytes is the size of the one transaction the stalled replica's dump
// thread gets stuck in. It must exceed what loopback socket buffers absorb
// while the replica does not read (its receive window stays small because
// it was idle before it stopped; tcp_wmem max is 4 MiB here).
const bigTxnBytes = 40 << 20

// TestPurgePastLogAReplicaReads purges past the binary log that a real,
// connected replica (a second mariadbd, server-id 2) is still reading.
//
// The replica is made to hold its log deterministically: it connects and
// catches up on the active log A, then it is stopped (SIGSTOP), and the
// primary writes one transaction far larger than the socket buffers into A.
// The primary's dump thread blocks writing A to the network, so A stays in
// use while the primary rotates past it.
//
// MariaDB 10.11 (the version here) does not refuse: PURGE returns OK
// without a warning and silently keeps the log in use and every later one;
// the action must then say which planned logs were kept and that a replica
// is connected. Should a server refuse with an error instead, the action
// must fail with the server's own text, unchanged. Either way nothing may be removed, the
// index must be untouched, and the action must not claim otherwise. The test
// runs the same statement directly first to learn which behaviour this
// server has, and checks the action against it.
func TestPurgePastLogAReplicaReads(t *testing.T) {
	s := needServer(t)
	ctx := context.Background()
	primary, err := s.Open()
	must(t, err)
	defer primary.Close()
	primary.SetMaxOpenConns(1) // one session: SET SESSION binlog_format sticks

	// Only A (the active log) is left on the primary, so that a purge past A
	// has nothing else to remove. The server may keep the log before A for
	// crash recovery for a moment: retry until it lets go.
	must(t, s.Exec("FLUSH BINARY LOGS"))
	logA := activeLog(t, primary)
	deadline := time.Now().Add(30 * time.Second)
	for {
		must(t, s.Exec("PURGE BINARY LOGS TO '"+logA+"'"))
		if logs := binlogNames(t, primary); len(logs) == 1 && logs[0] == logA {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("could not purge down to %s: %v", logA, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The replica: its own datadir, port and socket; server-id 2 (the
	// primary has 1). A later --server-id overrides the helper's.
	rep, err := mysqltest.Start(mysqltest.Options{Dir: t.TempDir(), Extra: []string{"--server-id=2", "--skip-slave-start"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rep.Stop) // Stop sends SIGCONT first
	must(t, s.Exec("CREATE USER IF NOT EXISTS 'rsrepl'@'127.0.0.1' IDENTIFIED BY 'rsrepl'; GRANT REPLICATION SLAVE ON *.* TO 'rsrepl'@'127.0.0.1'"))
	t.Cleanup(func() { _ = s.Exec("DROP USER IF EXISTS 'rsrepl'@'127.0.0.1'") })
	must(t, rep.Exec(fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='rsrepl', MASTER_PASSWORD='rsrepl', MASTER_LOG_FILE='%s', MASTER_LOG_POS=4, MASTER_CONNECT_RETRY=1; START SLAVE IO_THREAD", s.Port, logA)))
	waitReplicaOn(t, rep, primary, logA)

	// Stop the replica: its IO thread stays connected but reads no more.
	must(t, rep.Signal(syscall.SIGSTOP))
	defer rep.Signal(syscall.SIGCONT)

	// One big row-format transaction into A, then rotate past it twice:
	// A (in use), A+1, A+2, A+3 (active). The default plan keeps the active
	// log and the one before, so it names A and A+1.
	_, err = primary.ExecContext(ctx, "SET SESSION binlog_format = 'ROW'")
	must(t, err)
	_, err = primary.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t1.big (id INT AUTO_INCREMENT PRIMARY KEY, v LONGTEXT)")
	if err != nil {
		_, err = primary.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS t1")
		must(t, err)
		_, err = primary.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t1.big (id INT AUTO_INCREMENT PRIMARY KEY, v LONGTEXT)")
		must(t, err)
	}
	t.Cleanup(func() { _ = s.Exec("DROP TABLE IF EXISTS t1.big") })
	const row = 60000
	_, err = primary.ExecContext(ctx, fmt.Sprintf("INSERT INTO t1.big (v) SELECT REPEAT('x', %d) FROM t1.seq_1_to_%d", row, bigTxnBytes/row))
	must(t, err)
	_, err = primary.ExecContext(ctx, "SET SESSION binlog_format = DEFAULT")
	must(t, err)
	for i := 0; i < 2; i++ {
		_, err = primary.ExecContext(ctx, "FLUSH BINARY LOGS")
		must(t, err)
	}
	// The dump thread wakes up for the new transaction and then blocks
	// writing it ("Writing to net"); it must not reach "has sent all".
	deadline = time.Now().Add(10 * time.Second)
	for state := dumpThreadState(t, primary); strings.Contains(state, "has sent all binlog") || state == ""; state = dumpThreadState(t, primary) {
		if time.Now().After(deadline) {
			t.Fatalf("the replica's dump thread is not held on %s (state %q): the socket buffers took the whole transaction", logA, state)
		}
		time.Sleep(100 * time.Millisecond)
	}

	d := testDB(t, s, "")
	plan, err := d.PlanPurgeTo(ctx, "")
	must(t, err)
	if len(plan.Removes) < 2 || plan.Removes[0].Name != logA {
		t.Fatalf("plan %+v does not start at the log in use %s", plan, logA)
	}
	files, index := binlogFiles(t, s)

	// What the server itself does with this statement (it changes nothing:
	// A is the oldest log and in use).
	_, rawErr := primary.ExecContext(ctx, plan.SQL)
	res := run(t, d.Purge(plan))

	if rawErr != nil {
		t.Logf("the server refuses: %v", rawErr)
		if res.OK() {
			t.Fatalf("the server refused (%v) but the action succeeded: %+v", rawErr, res.Outcome)
		}
		if !strings.Contains(res.Err.Error(), rawErr.Error()) {
			t.Errorf("the action's error %q is not the server's %q as it is", res.Err, rawErr)
		}
	} else {
		t.Logf("the server returns OK and keeps the log in use: %s", plan.SQL)
		if !res.OK() {
			t.Fatalf("the server accepted the statement but the action failed: %v", res.Err)
		}
		out := res.Outcome.Summary + "\n" + strings.Join(res.Outcome.Details, "\n")
		t.Logf("the action says:\n%s", out)
		for _, want := range []string{"purged 0 binary logs", "no binary log removed", "kept " + fmt.Sprint(len(plan.Removes)), logA, "replica"} {
			if !strings.Contains(out, want) {
				t.Errorf("outcome lacks %q:\n%s", want, out)
			}
		}
	}
	filesAfter, indexAfter := binlogFiles(t, s)
	if filesAfter != files {
		t.Errorf("binary log files changed (was %s still held by the replica?):\nbefore %s\nafter  %s", logA, files, filesAfter)
	}
	if !bytes.Equal(index, indexAfter) {
		t.Errorf("index changed:\nbefore %q\nafter  %q", index, indexAfter)
	}

	// Once the replica reads on (and so leaves A), the same purge goes
	// through: proof that it was the replica that held A.
	must(t, rep.Signal(syscall.SIGCONT))
	deadline = time.Now().Add(30 * time.Second)
	for {
		res = run(t, d.Purge(plan))
		if !res.OK() && rawErr == nil {
			t.Fatal(res.Err)
		}
		if _, err := os.Stat(filepath.Join(s.Datadir, logA)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still there after the replica read on: %v %+v", logA, res.Err, res.Outcome)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func activeLog(t *testing.T, db *sql.DB) string {
	t.Helper()
	var file, pos, doDB, ignoreDB sql.NullString
	if err := db.QueryRow("SHOW MASTER STATUS").Scan(&file, &pos, &doDB, &ignoreDB); err != nil {
		t.Fatal(err)
	}
	return file.String
}

func binlogNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	_, rows := queryRows(t, db, "SHOW BINARY LOGS")
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r[0]
	}
	return names
}

// queryRows returns every row of q as strings, with the column names.
func queryRows(t *testing.T, db *sql.DB, q string) ([]string, [][]string) {
	t.Helper()
	r, err := db.Query(q)
	must(t, err)
	defer r.Close()
	cols, err := r.Columns()
	must(t, err)
	var out [][]string
	for r.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		must(t, r.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = string(v)
		}
		out = append(out, row)
	}
	must(t, r.Err())
	return cols, out
}

// waitReplicaOn waits until the replica's IO thread is connected and the
// primary has a dump thread for it, reading log.
func waitReplicaOn(t *testing.T, rep *mysqltest.Server, primary *sql.DB, log string) {
	t.Helper()
	db, err := rep.Open()
	must(t, err)
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := slaveStatus(t, db)
		if st["Slave_IO_Running"] == "Yes" && st["Master_Log_File"] == log && dumpThreadState(t, primary) != "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica did not connect: IO %q on %q, error %q", st["Slave_IO_Running"], st["Master_Log_File"], st["Last_IO_Error"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func slaveStatus(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	cols, rows := queryRows(t, db, "SHOW SLAVE STATUS")
	out := map[string]string{}
	if len(rows) > 0 {
		for i, c := range cols {
			out[c] = rows[0][i]
		}
	}
	return out
}

// dumpThreadState is the State of the primary's binlog dump thread ("" when
// no replica is connected).
func dumpThreadState(t *testing.T, db *sql.DB) string {
	t.Helper()
	var state sql.NullString
	err := db.QueryRow("SELECT STATE FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' LIMIT 1").Scan(&state)
	if err == sql.ErrNoRows {
		return ""
	}
	must(t, err)
	if !state.Valid || state.String == "" {
		return "(connected)"
	}
	return state.String
}

// binlogFiles lists the binary log files in the datadir with their sizes
// (the active one excluded: it may grow), and the index file's bytes.
func binlogFiles(t *testing.T, s *mysqltest.Server) (string, []byte) {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(s.Datadir, "mysql-bin.index"))
	must(t, err)
	names, _ := filepath.Glob(filepath.Join(s.Datadir, "mysql-bin.[0-9]*"))
	var b strings.Builder
	for _, n := range names[:max(len(names)-1, 0)] {
		fi, err := os.Stat(n)
		must(t, err)
		fmt.Fprintf(&b, "%s:%d ", filepath.Base(n), fi.Size())
	}
	return b.String(), index
}
