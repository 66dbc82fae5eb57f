package mysql

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/host"
)

func TestPlanExpiry(t *testing.T) {
	tests := []struct {
		name, in, want string
		seconds        bool
	}{
		{"edit days keeps comment and spacing", "[mysqld]\nexpire_logs_days\t= 10 # old\nx=1\n", "[mysqld]\nexpire_logs_days\t= 1 # old\nx=1\n", false},
		{"edit seconds", "[mariadb]\nbinlog_expire_logs_seconds=864000\n", "[mariadb]\nbinlog_expire_logs_seconds=86400\n", false},
		{"both edited", "[mysqld]\nexpire-logs-days=3\n[server]\nloose-binlog-expire-logs-seconds = 5\n", "[mysqld]\nexpire-logs-days=1\n[server]\nloose-binlog-expire-logs-seconds = 86400\n", false},
		{"client section ignored, insert in mysqld", "[client]\nexpire_logs_days=3\n[mysqld]\n# c\nport=1\n\n# next\n[mysqldump]\nquick\n", "[client]\nexpire_logs_days=3\n[mysqld]\n# c\nport=1\nexpire_logs_days = 1\n\n# next\n[mysqldump]\nquick\n", false},
		{"prefers mysqld over server", "[server]\na=1\n[mysqld]\nb=2", "[server]\na=1\n[mysqld]\nb=2\nexpire_logs_days = 1\n", false},
		{"empty mysqld section", "[mysqld]\n[x]\n", "[mysqld]\nexpire_logs_days = 1\n[x]\n", false},
		{"mariadb section when no mysqld", "[client]\n[mariadb]\nlog_bin\n", "[client]\n[mariadb]\nlog_bin\nexpire_logs_days = 1\n", false},
		{"new section appended", "[client]\nport=3306", "[client]\nport=3306\n\n[mysqld]\nexpire_logs_days = 1\n", false},
		{"seconds-only server", "[mysqld]\n", "[mysqld]\nbinlog_expire_logs_seconds = 86400\n", true},
		{"quoted value", "[mysqld]\nexpire_logs_days = \"7\"\n", "[mysqld]\nexpire_logs_days = 1\n", false},
		{"empty value", "[mysqld]\nexpire_logs_days =\n", "[mysqld]\nexpire_logs_days = 1\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "my.cnf")
			must(t, os.WriteFile(name, []byte(tc.in), 0o644))
			c, err := ReadCnf(context.Background(), host.NewLocal(), name)
			must(t, err)
			edits, err := c.PlanExpiry(1, tc.seconds)
			must(t, err)
			if len(edits) != 1 {
				t.Fatalf("edits %d", len(edits))
			}
			if got := string(edits[0].New); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestReadCnfIncludes(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "d"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "my.cnf"), []byte("[mysqld]\nexpire_logs_days=5\n!include extra.cnf\n!includedir d\n!include missing.cnf\n!include my.cnf\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "extra.cnf"), []byte("[mysqld]\nlog-bin=/data/binlog/db-bin\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "d", "b.cnf"), []byte("[mariadb]\nexpire_logs_days=3\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "d", "a.cnf"), []byte("[mysqld]\nexpire_logs_days=4\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "d", "skip.txt"), []byte("[mysqld]\nexpire_logs_days=9\n"), 0o644))
	c, err := ReadCnf(context.Background(), host.NewLocal(), filepath.Join(dir, "my.cnf"))
	must(t, err)
	if len(c.Files) != 4 || len(c.Missing) != 1 {
		t.Fatalf("files %d missing %v", len(c.Files), c.Missing)
	}
	v, ok := c.ServerValue("expire_logs_days")
	if !ok || v.Value != "3" || filepath.Base(v.File) != "b.cnf" {
		t.Errorf("last value %+v", v)
	}
	if got := len(c.ExpirySettings()); got != 3 {
		t.Errorf("expiry settings %d", got)
	}
	edits, err := c.PlanExpiry(1, false)
	must(t, err)
	if len(edits) != 3 {
		t.Errorf("edits %d", len(edits))
	}
	d := &DB{}
	d.Cfg.Datadir = "/var/lib/mysql"
	idx, err := d.indexPath(context.Background(), c, nil)
	if err != nil || idx != "/data/binlog/db-bin.index" {
		t.Errorf("index %q %v", idx, err)
	}
}

func TestExpiryFrom(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		mariadb bool
		want    int64
		seconds bool
	}{
		{"MariaDB 10.5", map[string]string{"expire_logs_days": "7"}, true, 7 * 86400, false},
		{"MariaDB 10.11", map[string]string{"expire_logs_days": "1.500000", "binlog_expire_logs_seconds": "129600"}, true, 129600, true},
		{"MySQL 8.0 seconds win", map[string]string{"expire_logs_days": "0", "binlog_expire_logs_seconds": "2592000"}, false, 2592000, true},
		{"MySQL 8.0 days only", map[string]string{"expire_logs_days": "3", "binlog_expire_logs_seconds": "0"}, false, 3 * 86400, true},
		{"MySQL 8.4", map[string]string{"binlog_expire_logs_seconds": "86400"}, false, 86400, true},
		{"never", map[string]string{"expire_logs_days": "0"}, true, 0, false},
	}
	for _, tc := range tests {
		e := expiryFrom(tc.vars, tc.mariadb)
		if e.EffectiveSecs != tc.want || e.UsesSeconds() != tc.seconds {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
}

func TestDropFirstEntry(t *testing.T) {
	in := []byte("./mysql-bin.000001\n./mysql-bin.000002\n./mysql-bin.000003\n")
	got := string(dropFirstEntry(in, "./mysql-bin.000001"))
	if got != "./mysql-bin.000002\n./mysql-bin.000003\n" {
		t.Errorf("%q", got)
	}
}
