package mysql

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// srv is the one mariadbd the package's tests share (started by TestMain).
var (
	srv     *mysqltest.Server
	srvSkip string
)

func TestMain(m *testing.M) {
	mysqltest.Main(m, "rsmy", mysqltest.Options{Extra: []string{"--max-binlog-size=65536"}}, "", &srv, &srvSkip)
}

func needServer(t *testing.T) *mysqltest.Server {
	t.Helper()
	if srv == nil {
		mysqltest.SkipOrFail(t, srvSkip)
	}
	return srv
}

func testDB(t *testing.T, s *mysqltest.Server, cnf string) *DB {
	t.Helper()
	cfg := config.Database{DSN: "root@unix(" + s.Socket + ")/", Datadir: s.Datadir, MyCnf: cnf,
		DiskFullPercent: 98, Timeout: config.Duration{Duration: 2 * time.Second}}
	d, err := New(cfg, host.NewLocalEditing(edittest.Dirs(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// makeLogs writes some rows and rotates the binary log n times.
func makeLogs(t *testing.T, s *mysqltest.Server, n int) {
	t.Helper()
	q := "CREATE DATABASE IF NOT EXISTS t1; CREATE TABLE IF NOT EXISTS t1.r (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(200));"
	for i := 0; i < n; i++ {
		q += "INSERT INTO t1.r (v) VALUES (REPEAT('x', 200)),(REPEAT('y', 200)); FLUSH BINARY LOGS;"
	}
	if err := s.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, a gate.Action) gate.Result {
	t.Helper()
	g := gate.New(false, filepath.Join(t.TempDir(), "audit.jsonl"))
	return g.Do(context.Background(), a)
}

func TestStatusFigures(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 3)
	d := testDB(t, s, filepath.Join(t.TempDir(), "none.cnf"))
	st := d.Status(context.Background())
	if st.ServerErr != "" || st.Server == nil {
		t.Fatalf("server: %s", st.ServerErr)
	}
	if !st.Server.MariaDB || !strings.Contains(st.Server.Version, "MariaDB") {
		t.Errorf("version %q not seen as MariaDB", st.Server.Version)
	}
	if st.Server.Uptime < 0 || st.Server.Uptime > time.Hour || !st.Server.LogBin {
		t.Errorf("uptime %v log_bin %v", st.Server.Uptime, st.Server.LogBin)
	}
	if len(st.Binlogs) < 4 {
		t.Fatalf("want at least 4 binlogs, got %d", len(st.Binlogs))
	}
	last := st.Binlogs[len(st.Binlogs)-1]
	if !last.Active || st.Server.Active != last.Name {
		t.Errorf("active: %+v vs %q", last, st.Server.Active)
	}
	var sum int64
	for _, b := range st.Binlogs {
		sum += b.Size
		fi, err := os.Stat(filepath.Join(s.Datadir, b.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !b.Active && fi.Size() != b.Size {
			t.Errorf("%s: SHOW BINARY LOGS says %d, the file has %d", b.Name, b.Size, fi.Size())
		}
	}
	if sum != st.BinlogTotal || sum == 0 {
		t.Errorf("total %d, sum %d", st.BinlogTotal, sum)
	}
	if st.Disk == nil || st.Disk.Total == 0 || st.BinlogShare <= 0 {
		t.Errorf("disk %+v share %v (%s)", st.Disk, st.BinlogShare, st.DiskErr)
	}
	// MariaDB 10.6+: both variables, as aliases.
	e := st.Server.Expiry
	if e.Days == nil || e.Seconds == nil || int64(*e.Days*86400) != *e.Seconds || e.EffectiveSecs != *e.Seconds {
		t.Errorf("expiry %+v", e)
	}
	if st.CnfErr == "" {
		t.Errorf("missing my.cnf not reported")
	}
	if st.Emergency {
		t.Errorf("emergency while the server answers")
	}
}

func indexEntries(t *testing.T, s *mysqltest.Server) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.Datadir, "mysql-bin.index"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPurgeTo(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 3)
	d := testDB(t, s, "")
	ctx := context.Background()
	before, err := d.Client.ServerStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanPurgeTo(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	n := len(before.Binlogs)
	if plan.To != before.Binlogs[n-2].Name || len(plan.Removes) != n-2 {
		t.Fatalf("default plan %+v for %d logs", plan, n)
	}
	a := d.Purge(plan)
	if !strings.Contains(strings.Join(a.Preview, "\n"), plan.Removes[0].Name) {
		t.Errorf("preview does not name the files: %q", a.Preview)
	}
	res := run(t, a)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	idx := indexEntries(t, s)
	for _, b := range plan.Removes {
		if _, err := os.Stat(filepath.Join(s.Datadir, b.Name)); !os.IsNotExist(err) {
			t.Errorf("%s still on disk (%v)", b.Name, err)
		}
		if strings.Contains(idx, b.Name) {
			t.Errorf("%s still in the index", b.Name)
		}
	}
	for _, b := range before.Binlogs[n-2:] {
		if _, err := os.Stat(filepath.Join(s.Datadir, b.Name)); err != nil {
			t.Errorf("kept log %s: %v", b.Name, err)
		}
	}
	if !strings.Contains(res.Outcome.Summary, fmt.Sprintf("purged %d", len(plan.Removes))) {
		t.Errorf("summary %q", res.Outcome.Summary)
	}
	if _, err := d.PlanPurgeTo(ctx, "mysql-bin.999999"); err == nil {
		t.Errorf("unknown log accepted")
	}
	if _, err := d.PlanPurgeTo(ctx, "x'; DROP DATABASE t1; --"); err == nil {
		t.Errorf("odd name accepted")
	}
}

func TestPurgeBefore(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 2)
	d := testDB(t, s, "")
	ctx := context.Background()
	plan, err := d.PlanPurgeBefore(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Removes) == 0 || plan.Uncertain {
		t.Fatalf("plan %+v", plan)
	}
	res := run(t, d.Purge(plan))
	if !res.OK() {
		t.Fatal(res.Err)
	}
	// The server may keep the log before the active one while its
	// transactions are not yet checkpointed in InnoDB: at most two are left.
	after, _ := d.Client.ServerStatus(ctx)
	if len(after.Binlogs) > 2 || !after.Binlogs[len(after.Binlogs)-1].Active {
		t.Errorf("left %+v", after.Binlogs)
	}
	for _, b := range plan.Removes[:len(plan.Removes)-1] {
		if _, err := os.Stat(filepath.Join(s.Datadir, b.Name)); !os.IsNotExist(err) {
			t.Errorf("%s still on disk", b.Name)
		}
	}
}

func TestFlushShowsRemoved(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 2)
	d := testDB(t, s, "")
	ctx := context.Background()
	if err := d.Client.exec(ctx, "SET GLOBAL binlog_expire_logs_seconds = 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Client.exec(ctx, "SET GLOBAL binlog_expire_logs_seconds = 0") })
	time.Sleep(2 * time.Second) // let the logs become older than the expiry
	res := run(t, d.Flush())
	if !res.OK() {
		t.Fatal(res.Err)
	}
	if !strings.Contains(strings.Join(res.Outcome.Details, "\n"), "removed ") {
		t.Errorf("flush outcome does not say what it removed: %q", res.Outcome.Details)
	}
}

func TestSetExpiryRuntimeAndCnf(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	main := filepath.Join(dir, "my.cnf")
	inc := filepath.Join(dir, "conf.d", "50-server.cnf")
	mainText := "# main\r\n[client]\r\nport = 3306\r\n\r\n!includedir " + filepath.Join(dir, "conf.d") + "\r\n"
	incText := "[client-server]\nsocket=/run/mysqld/mysqld.sock\n\n[mariadb]\nlog-bin = mysql-bin\nexpire-logs-days  =  10   # runbook says 1\nmax_connections=100\n"
	must(t, os.MkdirAll(filepath.Dir(inc), 0o755))
	must(t, os.WriteFile(main, []byte(mainText), 0o640))
	must(t, os.WriteFile(inc, []byte(incText), 0o644))
	d := testDB(t, s, main)
	ctx := context.Background()
	st := d.Status(ctx)
	if len(st.CnfExpiry) != 1 || st.CnfExpiry[0].Value != "10" || st.CnfExpiry[0].File != inc {
		t.Fatalf("my.cnf expiry %+v (%s)", st.CnfExpiry, st.CnfErr)
	}
	a, err := d.SetExpiry(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, a)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	srvNow, _ := d.Client.ServerStatus(ctx)
	if *srvNow.Expiry.Seconds != 86400 || *srvNow.Expiry.Days != 1 {
		t.Errorf("runtime expiry %+v", srvNow.Expiry)
	}
	got, _ := os.ReadFile(inc)
	want := strings.Replace(incText, "expire-logs-days  =  10   # runbook", "expire-logs-days  =  1   # runbook", 1)
	if string(got) != want {
		t.Errorf("include edited wrongly:\n%q\nwant\n%q", got, want)
	}
	if got, _ := os.ReadFile(main); string(got) != mainText {
		t.Errorf("main file touched")
	}
	baks, _ := filepath.Glob(filepath.Join(d.Host.(*host.Local).EditDirs().Backups, "*"))
	if len(baks) != 1 {
		t.Errorf("backups %v", baks)
	} else if b, _ := os.ReadFile(baks[0]); string(b) != incText {
		t.Errorf("backup content differs")
	}

	// No expiry anywhere: added to [mysqld] of the main file, CRLF kept.
	noExp := "[client]\r\nport=3306\r\n[mysqld]\r\ndatadir=/var/lib/mysql\r\n# tuning\r\n\r\n[mysqldump]\r\nquick\r\n"
	must(t, os.WriteFile(main, []byte(noExp), 0o640))
	a, err = d.SetExpiry(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res := run(t, a); !res.OK() {
		t.Fatal(res.Err)
	}
	got, _ = os.ReadFile(main)
	wantIns := strings.Replace(noExp, "datadir=/var/lib/mysql\r\n", "datadir=/var/lib/mysql\r\nexpire_logs_days = 1\r\n", 1)
	if string(got) != wantIns {
		t.Errorf("insert:\n%q\nwant\n%q", got, wantIns)
	}
	if fi, _ := os.Stat(main); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Refused when the file changed between preview and run.
	a, err = d.SetExpiry(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(main, append(got, "# someone else\n"...), 0o640))
	if res := run(t, a); res.OK() || !strings.Contains(res.Err.Error(), "changed") {
		t.Errorf("changed file not refused: %v", res.Err)
	}
	_ = d.Client.exec(ctx, "SET GLOBAL binlog_expire_logs_seconds = 0")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A stopped server (SIGSTOP) accepts connections but never answers: the
// status must come back with an error within the timeout, not hang.
func TestHungServerTimesOut(t *testing.T) {
	s := needServer(t)
	d := testDB(t, s, "")
	d.Client.Timeout = time.Second
	ctx := context.Background()
	if st := d.Status(ctx); st.ServerErr != "" {
		t.Fatal(st.ServerErr)
	}
	must(t, s.Signal(syscall.SIGSTOP))
	defer s.Signal(syscall.SIGCONT)
	done := make(chan *Status, 1)
	go func() { done <- d.Status(ctx) }()
	select {
	case st := <-done:
		if st.ServerErr == "" {
			t.Errorf("no error from a stopped server")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Status hung on a stopped server")
	}
	must(t, s.Signal(syscall.SIGCONT))
	// Fresh connections work again afterwards.
	d2 := testDB(t, s, "")
	if err := s.WaitUp(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if st := d2.Status(ctx); st.ServerErr != "" {
		t.Errorf("after SIGCONT: %s", st.ServerErr)
	}
}

var _ = bytes.Equal
