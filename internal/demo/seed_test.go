package demo

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/backup"
)

// TestSeededLogsInTimeOrder: every seeded log is in time order (the burst
// of 503s used to be written in one go, ahead of history lines that came
// before its end).
func TestSeededLogsInTimeOrder(t *testing.T) {
	s := build(t)
	stamp := regexp.MustCompile(`^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]`)
	for name, path := range s.AppLogs() {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var last time.Time
		n, lineNo := 0, 0
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lineNo++
			m := stamp.FindStringSubmatch(sc.Text())
			if m == nil {
				continue // a traceback's line
			}
			at, err := time.ParseInLocation("2006-01-02 15:04:05,000", m[1], time.Local)
			if err != nil {
				t.Fatal(err)
			}
			if at.Before(last) {
				t.Errorf("%s:%d: %s after %s", name, lineNo, at.Format(time.TimeOnly), last.Format(time.TimeOnly))
			}
			last, n = at, n+1
		}
		f.Close()
		if n < 100 {
			t.Errorf("%s: only %d dated lines", name, n)
		}
	}
}

// TestSeededBackupsAreReal: the seeded backups have the name a backup
// taken by richsops gets, so rotation removes them as it would real ones.
func TestSeededBackupsAreReal(t *testing.T) {
	s := build(t)
	entries, err := os.ReadDir(s.BackupDir())
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`^db-\d{8}-\d{6}\.sql\.gz$`)
	for _, e := range entries {
		if !name.MatchString(e.Name()) {
			t.Errorf("seeded backup %q is not named db-YYYYMMDD-HHMMSS.sql.gz", e.Name())
		}
		if _, err := backup.Verify(filepath.Join(s.BackupDir(), e.Name()), false); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
	removed, err := backup.Rotate(s.BackupDir(), 1, "")
	if err != nil || len(entries) != 3 || len(removed) != 2 {
		t.Fatalf("rotation to 1 of %d seeded backups removed %q, %v", len(entries), removed, err)
	}
}

// TestFakePIDsDistinct: units and pm2 apps (re)started in the same second
// get pids of their own (every unit used to get 3000).
func TestFakePIDsDistinct(t *testing.T) {
	s := build(t)
	seen := map[string]string{}
	for _, u := range []string{"nginx", "redis", "crond", "zabbix-agent", "nginx"} {
		verb := "restart"
		if u == "zabbix-agent" {
			verb = "start"
		}
		if out, code := systemctl(t, s, verb, u); code != 0 {
			t.Fatalf("%s %s: %d %s", verb, u, code, out)
		}
		out, _ := systemctl(t, s, "show", "-p", "MainPID", "--value", u)
		pid := strings.TrimSpace(out)
		if other, dup := seen[pid]; dup || pid == "0" {
			t.Errorf("%s got pid %s, as %s did", u, pid, other)
		}
		seen[pid] = u
	}
	var out, errb strings.Builder
	if code := PM2(s, []string{"restart", "index-linux"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	pid := jlist(t, s)[0].PID
	if other, dup := seen[strconv.Itoa(pid)]; dup {
		t.Errorf("index-linux got pid %d, as %s did", pid, other)
	}
}
