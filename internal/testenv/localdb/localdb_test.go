package localdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/localdb"
	"github.com/richs/richsops/internal/testenv/mysqltest"
)

// A server laid out with an option file reads it (expire_logs_days from
// the file) while the command line keeps it private (port, socket); it
// answers over the socket and over loopback TCP with binary logging on.
func TestInstallSpawnWaitUp(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	dir := t.TempDir()
	cnf := filepath.Join(dir, "my.cnf")
	if err := os.WriteFile(cnf, []byte("[mysqld]\nexpire_logs_days=10\nport=1\nsocket=/nonexistent/x.sock\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := localdb.New(localdb.Options{Dir: filepath.Join(dir, "run"), Datadir: filepath.Join(dir, "data"), DefaultsFile: cnf})
	if err != nil {
		t.Fatal(err)
	}
	if s.Args[1] != "--defaults-file="+cnf {
		t.Fatalf("the option file must be the first argument: %q", s.Args)
	}
	if s.Installed() {
		t.Fatal("installed before Install")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := s.Install(ctx); err != nil {
		t.Fatal(err)
	}
	if !s.Installed() {
		t.Fatal("not installed after Install")
	}
	cmd, exited, err := s.Spawn(&syscall.SysProcAttr{Setpgid: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	if err := s.WaitUp(ctx, exited); err != nil {
		t.Fatal(err)
	}
	if s.Pid() != cmd.Process.Pid {
		t.Errorf("pid file %d, process %d", s.Pid(), cmd.Process.Pid)
	}
	if err := s.Exec("CREATE DATABASE x; CREATE TABLE x.t (i INT); INSERT INTO x.t VALUES (1); FLUSH BINARY LOGS"); err != nil {
		t.Fatal(err)
	}
	tcp := &localdb.Server{DSN: localdb.TCPDSN(s.Port)}
	db, err := tcp.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logBin, expire string
	if err := db.QueryRow("SELECT @@log_bin, @@expire_logs_days").Scan(&logBin, &expire); err != nil {
		t.Fatalf("over TCP: %v", err)
	}
	if logBin != "1" || !strings.HasPrefix(expire, "10") {
		t.Errorf("log_bin %s, expire_logs_days %s", logBin, expire)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	<-exited
	if err := s.WaitUp(ctx, exited); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("WaitUp on a stopped server: %v", err)
	}
}

// A cancelled install leaves no bootstrap server behind and an empty
// datadir, so the next Install starts clean.
func TestInstallCancelled(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	dir := t.TempDir()
	s, err := localdb.New(localdb.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Install(ctx); err == nil {
		t.Skip("mariadb-install-db finished within 100 ms")
	}
	if s.Installed() {
		t.Error("a cancelled install counts as installed")
	}
	entries, _ := os.ReadDir(s.Datadir)
	if len(entries) != 0 {
		t.Errorf("datadir not emptied: %d entries", len(entries))
	}
	if pids := mysqltest.Pids("", "--datadir="+s.Datadir); len(pids) > 0 {
		t.Errorf("still run on the datadir: %v", pids)
	}
}

func TestNewRefusesLongSocket(t *testing.T) {
	if _, err := localdb.New(localdb.Options{Dir: "/" + strings.Repeat("d", 120)}); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("long socket path: %v", err)
	}
}
