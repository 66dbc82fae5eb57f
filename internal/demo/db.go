package demo

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/internal/testenv/localdb"
	"github.com/richs/richsops/ops/host"
)

// The sandbox's MariaDB. When mariadbd and its tools are installed (and
// RICHSOPS_DEMO_DSN is not set) the demo runs a real server on the
// sandbox's datadir, so that the Database tab and its actions, and the
// emergency path, work for real. The server is laid out by
// ops/mysql/localdb, the same code that starts the tests' servers; it
// reads D/etc/my.cnf as the box's server reads /etc/my.cnf (the command
// line keeps it private: loopback port, socket and files under
// D/run/mysqld, a small buffer pool). The activity starts it at the
// beginning and the systemctl stand-in starts and stops it as unit
// mysqld; either way it runs detached, in its own session, and is
// recorded in D/run/pids, so quitting the demo stops it.

// dbUnit is the systemd unit the real server stands behind.
const dbUnit = "mysqld.service"

// roleDB is the server's role in D/run/pids.
const roleDB = "mysqld"

// Start and stop bounds, as systemd's defaults for a unit: a start that
// does not answer within dbStartTimeout failed; a server still running
// dbStopGrace after SIGTERM is killed.
const (
	dbStartTimeout = 90 * time.Second
	dbStopGrace    = 60 * time.Second
)

// DBDir holds the real server's socket, pid file, error log and tmpdir.
func (s *Sandbox) DBDir() string { return filepath.Join(s.RunDir(), "mysqld") }

// DBServer is the sandbox's mariadbd: the same layout and argv at every
// start, whoever starts it.
func (s *Sandbox) DBServer() (*localdb.Server, error) {
	return localdb.New(localdb.Options{Dir: s.DBDir(), Datadir: s.Datadir(), Port: s.DBPort, DefaultsFile: s.MyCnf()})
}

// realDB tells whether s can run a real server, or why not.
func realDB(s *Sandbox) (bool, string) {
	if s.DSN != "" {
		return false, EnvDSN + " is set"
	}
	if m := localdb.Missing(); m != "" {
		return false, "not installed: " + m
	}
	if _, err := s.DBServer(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// dbFullPercent is database.disk_full_percent for a sandbox with a real
// server. The sandbox cannot fill a real disk the way binary logs filled
// the box's, so the threshold sits just below what the datadir's
// filesystem uses now (90% of it): the disk counts as full, and once
// mysqld is stopped the emergency path is offered and can be walked.
func dbFullPercent(datadir string) float64 {
	du, err := host.NewLocal().Disk(context.Background(), datadir)
	if err != nil {
		return 98
	}
	return math.Max(math.Floor(du.Percent()*0.9*100)/100, 0.01)
}

func isDBUnit(s *Sandbox, unit string) bool { return s.DBReal && unitName(unit) == dbUnit }

// lockDB serialises starting and stopping the server (the activity's
// first start, the stand-in's start, stop and restart). It is not the
// state lock: `systemctl show` answers while mariadbd starts.
func lockDB(s *Sandbox) (func(), error) { return lockFile(s, dbLockName) }

const dbLockName = ".mysqld.lock"

// dbBusy tells whether a start or stop holds lockDB now.
func dbBusy(s *Sandbox) bool {
	f, err := os.Open(filepath.Join(s.RunDir(), dbLockName))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// dbRecords are the recorded servers; dbProcess the one that runs.
func dbRecords(s *Sandbox) []PidRecord {
	recs, _ := Records(s)
	var out []PidRecord
	for _, r := range recs {
		if r.Role == roleDB {
			out = append(out, r)
		}
	}
	return out
}

func dbProcess(s *Sandbox) (PidRecord, bool) {
	for _, r := range dbRecords(s) {
		if r.Alive() {
			return r, true
		}
	}
	return PidRecord{}, false
}

// DBPid is the pid of the sandbox's running mariadbd (0: none runs).
func DBPid(s *Sandbox) int {
	r, _ := dbProcess(s)
	return r.PID
}

// setDBUnit records the unit's state (what a start or stop left), under
// the state lock.
func setDBUnit(s *Sandbox, active, sub string, pid int) error {
	unlock, err := lockState(s)
	if err != nil {
		return err
	}
	defer unlock()
	u, _, err := loadUnitFile(s, dbUnit)
	if err != nil {
		return err
	}
	if u.Active != active {
		u.Since = time.Now().Truncate(time.Second)
	}
	u.Active, u.Sub, u.MainPID = active, sub, pid
	return saveUnit(s, u)
}

// overlayDB makes the unit say what the server does. The state file holds
// what the last start or stop left; the process decides: a server that
// ended without a stop is "failed", as systemd says of a main process
// that died, and a start or stop that was interrupted does not stay
// "activating" or "deactivating".
func overlayDB(s *Sandbox, u *unitState) {
	rec, up := dbProcess(s)
	u.MainPID, u.Memory = 0, 0
	if up {
		u.MainPID, u.Memory = rec.PID, rss(rec.PID)
	}
	switch {
	case (u.Active == "activating" || u.Active == "deactivating") && dbBusy(s):
	case up:
		u.Active, u.Sub = "active", "running"
	case u.Active == "active" || u.Active == "activating":
		u.Active, u.Sub = "failed", "failed"
	case u.Active == "deactivating":
		u.Active, u.Sub = "inactive", "dead"
	}
}

// rss is a process's resident memory in bytes (0 when unknown).
func rss(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// startDB starts the server unless one runs, and waits until it answers.
// The caller holds lockDB. A server that does not answer in time is
// stopped again and the unit left "failed".
func startDB(ctx context.Context, s *Sandbox, srv *localdb.Server) error {
	if _, up := dbProcess(s); up {
		return nil
	}
	if err := setDBUnit(s, "activating", "start", 0); err != nil {
		return err
	}
	// Its own session, like a service: neither the console's terminal nor
	// the activity's process group reaches it; D/run/pids does.
	cmd, exited, err := srv.Spawn(&syscall.SysProcAttr{Setsid: true})
	if err != nil {
		_ = setDBUnit(s, "failed", "failed", 0)
		return err
	}
	_ = Register(s, cmd.Process.Pid, roleDB, cmd.Args)
	ctx, cancel := context.WithTimeout(ctx, dbStartTimeout)
	defer cancel()
	if err := srv.WaitUp(ctx, exited); err != nil {
		stopRecords(s, dbRecords(s), dbStopGrace)
		_ = setDBUnit(s, "failed", "failed", 0)
		return err
	}
	return setDBUnit(s, "active", "running", cmd.Process.Pid)
}

// stopDB stops the server (SIGTERM, then waits until it has exited;
// SIGKILL after dbStopGrace). The caller holds lockDB.
func stopDB(s *Sandbox) error {
	recs := dbRecords(s)
	if r, up := dbProcess(s); up {
		if err := setDBUnit(s, "deactivating", "stop-sigterm", r.PID); err != nil {
			return err
		}
	}
	left := stopRecords(s, recs, dbStopGrace)
	if err := setDBUnit(s, "inactive", "dead", 0); err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("mariadbd %d would not stop", left[0].PID)
	}
	return nil
}

// stopDBUnit is `systemctl stop mysqld`: the server stops, if it runs.
func stopDBUnit(s *Sandbox) error {
	unlock, err := lockDB(s)
	if err != nil {
		return err
	}
	defer unlock()
	return stopDB(s)
}

// changeDB is the stand-in's start, stop, restart and try-restart of the
// real server.
func changeDB(s *Sandbox, verb string) error {
	unlock, err := lockDB(s)
	if err != nil {
		return err
	}
	defer unlock()
	_, up := dbProcess(s)
	if verb == "stop" {
		return stopDB(s)
	}
	srv, err := s.DBServer()
	if err != nil {
		return err
	}
	switch verb {
	case "start":
		return startDB(context.Background(), s, srv)
	case "try-restart":
		if !up {
			return nil
		}
	}
	if err := stopDB(s); err != nil {
		return err
	}
	return startDB(context.Background(), s, srv)
}

// bringUpDB is the activity's first start: a new datadir is initialised
// (mariadb-install-db, about a second) and, once the server answers,
// seeded so the Database tab has something to show. What took how long
// goes to log.
func bringUpDB(ctx context.Context, s *Sandbox, log io.Writer) error {
	srv, err := s.DBServer()
	if err != nil {
		return err
	}
	unlock, err := lockDB(s)
	if err != nil {
		return err
	}
	defer unlock()
	t0 := time.Now()
	fresh := !srv.Installed()
	if fresh {
		if err := setDBUnit(s, "activating", "start", 0); err != nil {
			return err
		}
		if err := srv.Install(ctx); err != nil {
			_ = setDBUnit(s, "failed", "failed", 0)
			return err
		}
		fmt.Fprintf(log, "mariadbd: datadir %s initialised in %s\n", srv.Datadir, time.Since(t0).Round(time.Millisecond))
	}
	t1 := time.Now()
	if err := startDB(ctx, s, srv); err != nil {
		return err
	}
	fmt.Fprintf(log, "mariadbd: answers on 127.0.0.1:%d after %s (%s since the activity began)\n", srv.Port,
		time.Since(t1).Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	if !fresh {
		return nil
	}
	t2 := time.Now()
	if err := seedDB(ctx, srv); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(log, "mariadbd: seeded in %s\n", time.Since(t2).Round(time.Millisecond))
	return nil
}

// seedRounds is how many binary logs the seed closes: a flush after each
// round of writes, so the tab lists seedRounds+1 logs with sizes of their
// own and there is something to purge.
const seedRounds = 5

// seedDB gives a new server the app's database with some items, written
// in rounds with FLUSH BINARY LOGS between them. At the end it waits for
// the binlog checkpoint to reach the active log: until then MariaDB keeps
// the older logs for crash recovery, and an operator's first purge would
// silently keep them. Once is enough (the checkpoint moves about once a
// second; waiting after every flush took five).
func seedDB(ctx context.Context, srv *localdb.Server) error {
	if err := srv.Exec(`CREATE DATABASE IF NOT EXISTS richs CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS richs.items (
  id INT AUTO_INCREMENT PRIMARY KEY,
  asin CHAR(10) NOT NULL,
  title VARCHAR(200) NOT NULL,
  source ENUM('yahoo', 'mercari') NOT NULL,
  price INT NOT NULL,
  in_stock BOOL NOT NULL,
  checked_at DATETIME NOT NULL
) ENGINE=InnoDB`); err != nil {
		return err
	}
	db, err := srv.Open()
	if err != nil {
		return err
	}
	defer db.Close()
	l := NewLines(uint64(time.Now().UnixNano()))
	const perRound = 200
	for round := range seedRounds {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := "INSERT INTO richs.items (asin, title, source, price, in_stock, checked_at) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, NOW() - INTERVAL ? MINUTE),", perRound), ",")
		args := make([]any, 0, perRound*6)
		for i := range perRound {
			args = append(args, l.asin(), l.pick(products), l.pick([]string{"yahoo", "mercari"}),
				500+l.rng.IntN(60000), l.rng.IntN(4) > 0, (seedRounds-round)*600+i)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		// The stock check's work: some items sold out, some back.
		if _, err := db.ExecContext(ctx, "UPDATE richs.items SET in_stock = NOT in_stock, checked_at = NOW() WHERE id % 7 = ?", round); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "FLUSH BINARY LOGS"); err != nil {
			return err
		}
	}
	return localdb.WaitBinlogCheckpoint(db, 30*time.Second)
}
