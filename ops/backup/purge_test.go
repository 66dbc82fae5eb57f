package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
)

func rotate(t *testing.T, s *mysqltest.Server, n int) {
	t.Helper()
	q := "CREATE DATABASE IF NOT EXISTS pt; CREATE TABLE IF NOT EXISTS pt.r (v VARCHAR(20));"
	for range n {
		q += "INSERT INTO pt.r VALUES ('x'); FLUSH BINARY LOGS;"
	}
	if err := s.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeKnowsTheBackup: a real backup taken on a server with binary
// logs, then purges planned before and after its position: logs older than
// its file are a plain confirmation; a purge reaching its file or later
// names them and asks for the typed word; metadata corrupt or missing
// counts as no verified backup, with the reason. Read-only refuses.
func TestPurgeKnowsTheBackup(t *testing.T) {
	s := needServer(t)
	ctx := context.Background()
	rotate(t, s, 2)
	dir := t.TempDir()
	b := dsnBackup(dir, s)
	takeBackup(t, b)
	last, err := b.LastVerified(ctx)
	if err != nil || last.Meta == nil {
		t.Fatalf("no position recorded: %+v %v", last, err)
	}
	at := *last.Meta.Binlog
	rotate(t, s, 3)
	d, err := mysql.New(config.Database{DSN: s.DSN, Datadir: s.Datadir, Timeout: config.Duration{Duration: 5 * time.Second}}, host.NewLocal())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.LastBackup = b.ForPurge
	srvNow, err := d.Client.ServerStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	idx := -1
	for i, l := range srvNow.Binlogs {
		if l.Name == at.File {
			idx = i
		}
	}
	if idx < 1 || idx+3 >= len(srvNow.Binlogs) {
		t.Fatalf("backup at %s, logs %+v", at, srvNow.Binlogs)
	}
	when := last.Meta.At.In(time.Local).Format("2006-01-02 15:04")

	// Up to the backup's file: all older, a plain confirmation.
	p, err := d.PlanPurgeTo(ctx, at.File)
	if err != nil {
		t.Fatal(err)
	}
	a := d.Purge(p)
	if p.Risky() || a.Danger != "" || len(p.Needed) != 0 {
		t.Errorf("older logs only: danger %q, needed %v", a.Danger, p.Needed)
	}
	gatetest.Has(t, "older", a.Preview, "all older than the last verified backup ("+when+", at "+at.String()+")")

	// Two past it: the backup's file and the next are needed.
	to := srvNow.Binlogs[idx+2].Name
	p, err = d.PlanPurgeTo(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	a = d.Purge(p)
	next := srvNow.Binlogs[idx+1].Name
	if a.Danger != mysql.PurgeWord || len(p.Needed) != 2 || p.Needed[0].Name != at.File {
		t.Errorf("past the backup: danger %q, needed %v", a.Danger, p.Needed)
	}
	gatetest.Has(t, "newer", a.Preview, at.File+"–"+next[strings.LastIndexByte(next, '.')+1:]+" are newer than the last verified backup ("+
		when+", at "+at.String()+"): purging them loses point-in-time recovery from it")

	// BEFORE a time after everything: the same logs are named.
	pb, err := d.PlanPurgeBefore(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d.Purge(pb).Danger != mysql.PurgeWord || len(pb.Needed) < 3 {
		t.Errorf("before: needed %v", pb.Needed)
	}

	// Read-only refuses, and the logs stay.
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	if res := gate.New(true, audit).Do(ctx, a); res.Err != gate.ErrReadOnly {
		t.Errorf("read-only: %v", res.Err)
	}
	if _, err := os.Stat(filepath.Join(s.Datadir, at.File)); err != nil {
		t.Errorf("read-only purge removed %s: %v", at.File, err)
	}

	// Corrupt, then missing metadata: no verified backup, with the reason.
	metas, _ := filepath.Glob(filepath.Join(dir, "*"+MetaSuffix))
	if len(metas) != 1 {
		t.Fatalf("metadata files %q", metas)
	}
	name := strings.TrimSuffix(filepath.Base(metas[0]), MetaSuffix)
	for _, c := range []struct {
		name   string
		change func() error
		why    string
	}{
		{"corrupt", func() error { return os.WriteFile(metas[0], []byte(`{"backup": 1`), 0o600) }, name + ": metadata corrupt: "},
		{"missing", func() error { return os.Remove(metas[0]) }, name + ": no metadata"},
	} {
		if err := c.change(); err != nil {
			t.Fatal(err)
		}
		p, err := d.PlanPurgeTo(ctx, srvNow.Binlogs[1].Name)
		if err != nil {
			t.Fatal(err)
		}
		a := d.Purge(p)
		if a.Danger != mysql.PurgeWord || p.Backup != nil {
			t.Errorf("%s: danger %q, backup %+v", c.name, a.Danger, p.Backup)
		}
		gatetest.Has(t, c.name, a.Preview, "NO VERIFIED BACKUP RECORDS A BINARY-LOG POSITION", "  "+c.why)
	}

	// The risky purge still runs once confirmed (the gate does not type).
	res := gate.New(false, audit).Do(ctx, d.Purge(p))
	if !res.OK() {
		t.Fatal(res.Err)
	}
}
