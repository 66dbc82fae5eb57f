package check

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// TestDatabase runs the db check against a real mariadbd: its disk against
// the thresholds, then the server killed.
func TestDatabase(t *testing.T) {
	mysqltest.NeedMariaDB(t)
	dir, err := os.MkdirTemp("", "ck-db-") // short: the socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	srv, err := mysqltest.Start(mysqltest.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.Database.DSN = srv.DSN
	cfg.Database.Host = "local"
	cfg.Database.Datadir = srv.Datadir
	cfg.Database.MyCnf = dir + "/my.cnf"
	cfg.Thresholds.DiskWarnPercent, cfg.Thresholds.DiskCritPercent, cfg.Database.DiskFullPercent = 101, 101, 101
	hosts := host.NewRegistry(cfg)
	ctx := context.Background()
	db := func() attention.Report { return Database(ctx, cfg, hosts) }

	if r := db(); len(r.Items) != 0 {
		t.Fatalf("healthy server, disk below thresholds: %+v", r)
	}
	cfg.Thresholds.DiskWarnPercent = 0.0001
	if r := db(); len(r.Items) != 1 || r.Items[0].Severity != attention.Warn || r.Items[0].Key != "P" || !strings.Contains(r.Items[0].Text, "DB disk "+srv.Datadir) || !strings.Contains(r.Items[0].Text, "limit 0.0001%") {
		t.Fatalf("warn: %+v", r)
	}
	cfg.Database.DiskFullPercent = 0.0002
	if r := db(); len(r.Items) != 1 || r.Items[0].Severity != attention.Crit || r.Items[0].Area != attention.AreaDatabase || !strings.Contains(r.Items[0].Text, "limit 0.0002%") {
		t.Fatalf("disk_full_percent: %+v", r)
	}
	// An error reply (unknown user): the server is up, the path is purge.
	good := cfg.Database.DSN
	cfg.Database.DSN = "rs_nobody:x@unix(" + srv.Socket + ")/"
	if r := db(); len(r.Items) != 2 || !strings.Contains(r.Items[0].Text, "MySQL answers with an error") || !strings.Contains(r.Items[0].Text, "1045") || r.Items[1].Key != "P" {
		t.Fatalf("error reply, disk full: %+v", r)
	}
	cfg.Database.DSN = good
	srv.Kill()
	r := db()
	if Worst(r.Items) != attention.Crit || len(r.Items) != 2 || !strings.Contains(r.Items[0].Text, "MySQL does not answer") || r.Items[1].Key != "!" {
		t.Fatalf("server down, disk full: %+v", r)
	}
}
