package mysql

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/host"
)

func FuzzPlanExpiry(f *testing.F) {
	f.Add([]byte("[mysqld]\nexpire_logs_days = 10 # keep\nlog-bin=mysql-bin\n"), 1)
	f.Add([]byte("[client]\nport=3306\r\n[server]\r\n"), 3)
	f.Add([]byte("expire-logs-days\n[mariadb]\nbinlog_expire_logs_seconds=\n"), 0)
	f.Fuzz(func(t *testing.T, data []byte, days int) {
		if days < 0 || days > 1000 {
			return
		}
		if bytes.Contains(data, []byte("!include")) {
			return // would read the fuzzing machine's files
		}
		name := filepath.Join(t.TempDir(), "my.cnf")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := ReadCnf(context.Background(), host.NewLocal(), name)
		if err != nil {
			t.Fatal(err)
		}
		edits, err := c.PlanExpiry(days, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range edits {
			// Only lines the plan names change: the line count grows by at most 3.
			if len(splitLines(e.New)) > len(splitLines(e.Old))+3 {
				t.Fatalf("too many lines added:\n%q\n%q", e.Old, e.New)
			}
			if !bytes.Equal(e.Old, data) {
				t.Fatal("old content altered")
			}
		}
	})
}
