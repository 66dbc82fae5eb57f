package mysql

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// fill writes a file that leaves about keep bytes free on dir's filesystem.
func fill(t *testing.T, dir string, keep int64) {
	t.Helper()
	var st syscall.Statfs_t
	must(t, syscall.Statfs(dir, &st))
	free := int64(st.Bavail) * st.Bsize
	if free <= keep {
		return
	}
	f, err := os.Create(filepath.Join(dir, "filler"))
	must(t, err)
	defer f.Close()
	buf := make([]byte, 1<<20)
	for left := free - keep; left > 0; {
		n := int64(len(buf))
		if left < n {
			n = left
		}
		if _, err := f.Write(buf[:n]); err != nil {
			break // full already
		}
		left -= n
	}
}

// logsOnTmpfs starts a mariadbd whose datadir is on a 128 MiB tmpfs, with
// five binary logs of about 2 MiB, then runs setupSQL. dir holds the rest.
func logsOnTmpfs(t *testing.T, setupSQL string) (s *mysqltest.Server, mnt, dir string) {
	t.Helper()
	mnt = mysqltest.MountTmpfs(t, "128m")
	dir = t.TempDir()
	s, err := mysqltest.Start(mysqltest.Options{Dir: dir, Datadir: filepath.Join(mnt, "data"),
		Extra: []string{"--max-binlog-size=2097152"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	q := "CREATE DATABASE e; CREATE TABLE e.r (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT) ENGINE=InnoDB;"
	for i := 0; i < 4; i++ {
		q += "INSERT INTO e.r (v) SELECT REPEAT('z', 1000) FROM mysql.help_topic LIMIT 900; INSERT INTO e.r (v) SELECT v FROM e.r ORDER BY id DESC LIMIT 900; FLUSH BINARY LOGS;"
	}
	must(t, s.Exec(q+setupSQL))
	return s, mnt, dir
}

// emergencyDB is the DB of s as the emergency tests configure it: restart
// runs script; closed at the end of the test.
func emergencyDB(t *testing.T, s *mysqltest.Server, dir, script string) *DB {
	t.Helper()
	cfg := config.Database{DSN: "root@unix(" + s.Socket + ")/", Datadir: s.Datadir, MyCnf: filepath.Join(dir, "none.cnf"),
		Restart: []string{"sh", script}, DiskFullPercent: 98, Timeout: config.Duration{Duration: 2 * time.Second}}
	d, err := New(cfg, host.NewLocalEditing(edittest.Dirs(t)))
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// The runbook's path on a really full filesystem: the datadir lives on a
// 128 MiB tmpfs filled to the brim, the server is down; the action removes
// the oldest binary log of the index, rewrites the index, runs the restart
// command (which hangs the first time, so the retry is exercised) and the
// server answers again.
func TestEmergencyOnFullDisk(t *testing.T) {
	if m := mysqltest.Missing(); m != "" {
		needServer(t)
	}
	s, mnt, dir := logsOnTmpfs(t, "")
	s.Kill() // down, as after a crash on a full disk
	fill(t, mnt, 200<<10)

	script := filepath.Join(dir, "restart.sh")
	marker := filepath.Join(dir, "restart-tried")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\n"+
		"if [ ! -e "+marker+" ]; then : > "+marker+"; sleep 300; fi\n"+
		"setsid "+host.ShellQuote(s.Args)+" >"+filepath.Join(dir, "restart.out")+" 2>&1 </dev/null &\n"), 0o755))

	d := emergencyDB(t, s, dir, script)
	d.RestartTimeout = 3 * time.Second
	d.StartWait = 20 * time.Second
	ctx := context.Background()

	st := d.Status(ctx)
	if !st.Emergency {
		t.Fatalf("no emergency: disk %.1f%%, server error %q", st.DiskPercent(), st.ServerErr)
	}
	if len(st.Binlogs) < 3 || !st.Binlogs[len(st.Binlogs)-1].Active {
		t.Fatalf("binlogs from the index: %+v", st.Binlogs)
	}
	idxBefore, _ := os.ReadFile(filepath.Join(s.Datadir, "mysql-bin.index"))
	plan, err := d.PlanEmergency(ctx)
	must(t, err)
	if plan.Oldest != "./mysql-bin.000001" {
		t.Fatalf("oldest %q", plan.Oldest)
	}
	a := d.Emergency(plan)
	if a.Danger == "" {
		t.Error("the emergency action must ask for a typed confirmation")
	}
	res := run(t, a)
	details := strings.Join(res.Outcome.Details, "\n")
	if !res.OK() {
		errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		out, _ := os.ReadFile(filepath.Join(dir, "restart.out"))
		t.Fatalf("%v\n%s\nerror.log: %s\nrestart.out: %s", res.Err, details, tailString(string(errLog), 15), out)
	}
	for _, want := range []string{"removed ", "rewrote ", "timed out", "restart (try 2): ok", "server answers", "disk of "} {
		if !strings.Contains(details, want) {
			t.Errorf("outcome lacks %q:\n%s", want, details)
		}
	}
	if _, err := os.Stat(plan.File); !os.IsNotExist(err) {
		t.Errorf("oldest log still there: %v", err)
	}
	idxAfter, _ := os.ReadFile(filepath.Join(s.Datadir, "mysql-bin.index"))
	if strings.Contains(string(idxAfter), "mysql-bin.000001\n") {
		t.Errorf("index still names the removed log:\n%s", idxAfter)
	}
	if !strings.HasPrefix(string(idxAfter), strings.Replace(string(idxBefore), "./mysql-bin.000001\n", "", 1)) {
		t.Errorf("index not kept byte for byte:\nbefore %q\nafter  %q", idxBefore, idxAfter)
	}
	// The server is back: the path is no longer offered.
	if _, err := d.PlanEmergency(ctx); err == nil {
		t.Error("emergency offered while the server answers")
	}
}

// downDB is a DB on datadir whose server is down (no socket), with its
// my.cnf in datadir and a disk threshold of 0; closed at the end of the test.
func downDB(t *testing.T, datadir string) *DB {
	t.Helper()
	cfg := config.Database{DSN: "root@unix(" + filepath.Join(datadir, "no.sock") + ")/", Datadir: datadir,
		MyCnf: filepath.Join(datadir, "my.cnf"), Restart: []string{"true"}, DiskFullPercent: 0,
		Timeout: config.Duration{Duration: time.Second}}
	d, err := New(cfg, host.NewLocalEditing(edittest.Dirs(t)))
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// Never the last (active) log, and never while the disk is below the threshold.
func TestEmergencyRefusals(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.000007"), []byte("x"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.index"), []byte("./mysql-bin.000007\n"), 0o600))
	d := downDB(t, dir)
	if _, err := d.PlanEmergency(context.Background()); err == nil || !strings.Contains(err.Error(), "active") {
		t.Errorf("single log: %v", err)
	}
	d.Cfg.DiskFullPercent = 100.1
	if _, err := d.PlanEmergency(context.Background()); err == nil || !strings.Contains(err.Error(), "below") {
		t.Errorf("below threshold: %v", err)
	}
	// The index changed between preview and run: nothing is removed.
	d.Cfg.DiskFullPercent = 0
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.000008"), []byte("y"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.index"), []byte("./mysql-bin.000007\n./mysql-bin.000008\n"), 0o600))
	plan, err := d.PlanEmergency(context.Background())
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.index"), []byte("./mysql-bin.000008\n"), 0o600))
	if res := run(t, d.Emergency(plan)); res.OK() {
		t.Error("ran on a changed index")
	}
	if _, err := os.Stat(filepath.Join(dir, "mysql-bin.000007")); err != nil {
		t.Errorf("file removed although the index changed: %v", err)
	}
}

func tailString(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
