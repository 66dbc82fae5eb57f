package demo

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
)

// startReal builds a sandbox with its own mariadbd and starts its activity
// (no jobs; the writer is /bin/true, which leaves at once), waiting for the
// server's first start. Stop runs at the end of the test.
func startReal(t *testing.T) (*Sandbox, *Activity, *config.Config) {
	t.Helper()
	mysqltest.NeedMariaDB(t)
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(t.TempDir(), Options{Bin: truePath})
	if err != nil {
		t.Fatal(err)
	}
	if !s.DBReal {
		t.Fatalf("no real server although MariaDB is installed: %s", s.DBNote)
	}
	cfg, err := s.Config()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	a, err := Start(s, RunOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := a.WaitDB(context.Background()); err != nil {
		t.Fatalf("first start: %v\n%s", err, log.String())
	}
	t.Logf("activity log:\n%s", log.String())
	return s, a, cfg
}

func dbOf(t *testing.T, cfg *config.Config) *mysql.DB {
	t.Helper()
	d, err := mysql.FromConfig(cfg, host.NewRegistry(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// serverPids are the mariadbd processes on the sandbox's datadir.
func serverPids(s *Sandbox) []int { return mysqltest.Pids("mariadbd", "--datadir="+s.Datadir()) }

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// The activity's server answers on the config's DSN (loopback TCP) with
// binary logging on, several logs, the seeded items and the expiry of the
// sandbox's my.cnf; the stand-in reports it running with its real pid.
func TestRealDBAnswers(t *testing.T) {
	s, _, cfg := startReal(t)
	if want := "root@tcp(127.0.0.1:" + strconv.Itoa(s.DBPort) + ")/"; cfg.Database.DSN != want {
		t.Errorf("dsn %q, want %q", cfg.Database.DSN, want)
	}
	if ws := cfg.Warnings(); len(ws) > 0 {
		t.Errorf("config warnings: %v", ws)
	}
	if !strings.Contains(strings.Join(cfg.Backup.Dump, " "), "--socket="+filepath.Join(s.DBDir(), "mysqld.sock")) {
		t.Errorf("backup dump does not reach the sandbox's server: %q", cfg.Backup.Dump)
	}
	d := dbOf(t, cfg)
	st := d.Status(context.Background())
	if st.Server == nil {
		t.Fatalf("server does not answer: %s", st.ServerErr)
	}
	if !st.Server.LogBin || len(st.Binlogs) < seedRounds+1 || !st.Binlogs[len(st.Binlogs)-1].Active {
		t.Errorf("log_bin %v, binary logs %+v", st.Server.LogBin, st.Binlogs)
	}
	if got := st.Server.Expiry.Effective(); got != 10*24*time.Hour {
		t.Errorf("server expiry %s, want my.cnf's 10 days", got)
	}
	if len(st.CnfExpiry) != 1 || st.CnfExpiry[0].Value != "10" {
		t.Errorf("my.cnf expiry %+v", st.CnfExpiry)
	}
	var items int
	if err := d.Client.DB.QueryRow("SELECT COUNT(*) FROM richs.items").Scan(&items); err != nil || items != seedRounds*200 {
		t.Errorf("richs.items: %d rows, %v", items, err)
	}
	if st.Emergency || st.DiskPercent() < cfg.Database.DiskFullPercent {
		t.Errorf("disk %.2f%%, full at %.2f%%, emergency %v: want a full disk and no emergency while the server answers",
			st.DiskPercent(), cfg.Database.DiskFullPercent, st.Emergency)
	}
	out, code := systemctl(t, s, "show", "-p", "ActiveState,SubState,MainPID", "mysqld")
	if want := "ActiveState=active\nSubState=running\nMainPID=" + strconv.Itoa(DBPid(s)) + "\n"; code != 0 || out != want || DBPid(s) == 0 {
		t.Errorf("show: %d %q, want %q", code, out, want)
	}
	// The seed waited for the binlog checkpoint: a purge right away
	// removes every log before the active one.
	active := st.Binlogs[len(st.Binlogs)-1].Name
	if _, err := d.Client.DB.Exec("PURGE BINARY LOGS TO '" + active + "'"); err != nil {
		t.Fatal(err)
	}
	if st := d.Status(context.Background()); len(st.Binlogs) != 1 {
		t.Errorf("after a purge to the active log: %+v", st.Binlogs)
	}
}

// The stand-in drives the real server: stop ends the process and closes
// the port (and the Database tab's condition becomes the emergency one),
// start brings it back, restart gives a new process; a server that died
// behind the stand-in's back shows as failed.
func TestRealDBStandin(t *testing.T) {
	s, _, cfg := startReal(t)
	d := dbOf(t, cfg)
	ctx := context.Background()
	pid := DBPid(s)

	if out, code := systemctl(t, s, "stop", "mysqld"); code != 0 {
		t.Fatalf("stop: %d %s", code, out)
	}
	if syscall.Kill(pid, 0) == nil || len(serverPids(s)) > 0 || portOpen(s.DBPort) {
		t.Fatalf("after stop: pid %d alive %v, servers %v, port open %v", pid, syscall.Kill(pid, 0) == nil, serverPids(s), portOpen(s.DBPort))
	}
	if out, code := systemctl(t, s, "is-active", "mysqld"); code != 3 || out != "inactive\n" {
		t.Errorf("is-active after stop: %d %q", code, out)
	}
	if st := d.Status(ctx); st.Server != nil || !st.Emergency {
		t.Errorf("after stop: server %v, emergency %v (disk %.2f%%)", st.Server, st.Emergency, st.DiskPercent())
	}

	if out, code := systemctl(t, s, "start", "mysqld"); code != 0 {
		t.Fatalf("start: %d %s", code, out)
	}
	pid2 := DBPid(s)
	if pid2 == 0 || pid2 == pid || !portOpen(s.DBPort) {
		t.Fatalf("after start: pid %d (was %d), port open %v", pid2, pid, portOpen(s.DBPort))
	}
	if st := d.Status(ctx); st.Server == nil {
		t.Errorf("after start: %s", st.ServerErr)
	}
	if out, code := systemctl(t, s, "start", "mysqld"); code != 0 || DBPid(s) != pid2 {
		t.Errorf("start of a running server: %d %s, pid %d → %d", code, out, pid2, DBPid(s))
	}
	if out, code := systemctl(t, s, "restart", "mysqld"); code != 0 || DBPid(s) == pid2 || DBPid(s) == 0 {
		t.Errorf("restart: %d %s, pid %d → %d", code, out, pid2, DBPid(s))
	}
	if out, code := systemctl(t, s, "reload", "mysqld"); code != 1 || !strings.Contains(out, "not applicable") {
		t.Errorf("reload: %d %q", code, out)
	}

	// Killed behind the stand-in's back: failed, as systemd says.
	_ = syscall.Kill(DBPid(s), syscall.SIGKILL)
	eventually(t, "the killed server to go", func() bool { return DBPid(s) == 0 })
	if out, _ := systemctl(t, s, "is-active", "mysqld"); out != "failed\n" {
		t.Errorf("is-active after a kill: %q", out)
	}
	if out, code := systemctl(t, s, "start", "mysqld"); code != 0 {
		t.Fatalf("start after a kill: %d %s", code, out)
	}
}

// Activity.Stop stops the server (whoever started it last) and leaves no
// mariadbd, and no record of one.
func TestRealDBStopLeavesNothing(t *testing.T) {
	s, a, _ := startReal(t)
	if out, code := systemctl(t, s, "restart", "mysqld"); code != 0 {
		t.Fatalf("restart: %d %s", code, out)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if p := serverPids(s); len(p) > 0 {
		t.Errorf("mariadbd left running: %v", p)
	}
	if r := dbRecords(s); len(r) > 0 {
		t.Errorf("records left: %+v", r)
	}
	if out, _ := systemctl(t, s, "is-active", "mysqld"); out != "inactive\n" {
		t.Errorf("is-active after Stop: %q", out)
	}
}

// Stopping the activity while the server's first start is under way
// (mariadb-install-db running) leaves no process behind either.
func TestRealDBStopDuringInstall(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	truePath, _ := exec.LookPath("true")
	s, err := Build(t.TempDir(), Options{Bin: truePath})
	if err != nil {
		t.Fatal(err)
	}
	a, err := Start(s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if data, _ := os.ReadFile(p); strings.Contains(string(data), s.Datadir()) {
			t.Errorf("%s still runs: %q", p, data)
		}
	}
}

// RICHSOPS_DEMO_DSN wins over an installed MariaDB: no server of the
// sandbox's own, the fake binary logs of the fallback.
func TestDSNFromEnvKeepsFakeLogs(t *testing.T) {
	t.Setenv(EnvDSN, "root@tcp(127.0.0.1:3307)/")
	s, err := Build(t.TempDir(), Options{Bin: "/nonexistent/richsops-demo", Now: frozen, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := os.ReadFile(filepath.Join(s.Datadir(), "mysql-bin.index"))
	if s.DBReal || strings.Count(string(idx), "mysql-bin.0") != 8 {
		t.Errorf("real %v, index %q", s.DBReal, idx)
	}
	cfg, err := s.Config()
	if err != nil || cfg.Database.DiskFullPercent != 98 || len(cfg.Backup.Dump) == 0 || cfg.Backup.Dump[0] != "mysqldump" {
		t.Errorf("fallback config changed: full %v, dump %q, %v", cfg.Database.DiskFullPercent, cfg.Backup.Dump, err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
