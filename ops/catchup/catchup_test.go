package catchup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/notifytest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// box is a job cron runs every minute that has never run (its log is
// old), so it is MISSED, with a real app folder whose manage.py runs a
// second and writes nothing.
type box struct {
	cfg   *config.Config
	h     host.Host
	store *history.Store
	sink  *notifytest.Sink
	il    *Interlock
	job   string
	boot  time.Time
}

func newBox(t *testing.T, readOnly bool) *box {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	cfg := edittest.Config(t, config.Default())
	job := fmt.Sprintf("catchup_test_t%d", os.Getpid())
	cfg.Jobs = []config.Job{{Name: job, Log: job + ".log"}}
	cfg.App.Dir, cfg.App.LogDir, cfg.App.Python, cfg.App.User = dir, dir, "/bin/sh", "root"
	cfg.App.Env = nil
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	cfg.AuditLog = filepath.Join(dir, "audit.log")
	cfg.Watch.CatchUp = "auto"
	os.WriteFile(filepath.Join(dir, "manage.py"), []byte("sleep 1\n"), 0o755)
	os.WriteFile(cfg.Crontab.Path, []byte("* * * * * richs cd /app && python manage.py "+job+"\n"), 0o644)
	b := &box{cfg: cfg, h: edittest.Local(cfg), sink: &notifytest.Sink{}, job: job, boot: time.Now().Add(-time.Hour)}
	b.oldLog(t)
	s, err := history.OpenWriter(context.Background(), filepath.Join(dir, "history.db"), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b.store = s
	b.il = b.interlock(readOnly)
	return b
}

func (b *box) interlock(readOnly bool) *Interlock {
	return &Interlock{Cfg: b.cfg, Host: b.h, Gate: gate.New(readOnly, b.cfg.AuditLog), Store: func() *history.Store { return b.store }, Sink: b.sink, Now: time.Now,
		Boot: func(context.Context) (time.Time, error) { return b.boot, nil }}
}

// oldLog makes the job's log say it last ran two days ago.
func (b *box) oldLog(t *testing.T) {
	p := b.cfg.JobLogPath(b.cfg.Jobs[0])
	os.WriteFile(p, nil, 0o644)
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
}

func (b *box) pass(t *testing.T, il *Interlock) Step {
	t.Helper()
	st, err := il.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitDone waits for the started run to end.
func (b *box) waitDone(t *testing.T) {
	t.Helper()
	for range 100 {
		procs, err := jobs.List(context.Background(), b.h, b.cfg, []string{b.job})
		if err == nil && len(procs) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the caught-up run did not end")
}

func (b *box) events(t *testing.T) []history.Event {
	ev, err := b.store.Events(context.Background(), history.EventCatchUp, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func (b *box) runs(t *testing.T) int {
	recs, _ := gate.ReadAudit(b.cfg.AuditLog)
	n := 0
	for _, r := range recs {
		if r.Action == "jobs.run" && r.Phase == "end" && r.Outcome == "ok" && r.Actor == gate.ActorCatchUp {
			n++
		}
	}
	return n
}

// TestCatchUpOncePerSlot: not before the box has been up catch_up_after;
// refused while the guard says no (said once, with why); then started
// once, as catch-up, and never again for the slot: not at the next pass,
// not after a restart, even if the job still looks missed.
func TestCatchUpOncePerSlot(t *testing.T) {
	b := newBox(t, false)
	b.boot = time.Now().Add(-5 * time.Minute)
	if st := b.pass(t, b.il); len(st.Missed) != 1 || !strings.Contains(strings.Join(st.Did, ""), "waiting: up for 5m") || b.runs(t) != 0 {
		t.Fatalf("before catch_up_after: %+v", st)
	}
	b.boot = time.Now().Add(-time.Hour)

	b.cfg.Jobs[0].Guard = "index-linux"
	old := jobs.DefaultGuard
	t.Cleanup(func() { jobs.DefaultGuard = old })
	healthy := false
	jobs.DefaultGuard = func(context.Context) (bool, string) { return healthy, "pm2 app stopped" }
	b.pass(t, b.il)
	b.pass(t, b.il)
	if b.runs(t) != 0 {
		t.Fatal("started while the guard refuses")
	}
	if m := b.sink.Texts(); len(m) != 1 || !strings.Contains(m[0], "not caught up: "+b.job+" refused: index-linux is unhealthy: pm2 app stopped") {
		t.Fatalf("refusal messages %q", m)
	}
	if ev := b.events(t); len(ev) != 1 || ev[0].Level != "warn" || !strings.Contains(ev[0].Detail, "pm2 app stopped") {
		t.Fatalf("refusal events %+v", ev)
	}

	healthy = true
	st := b.pass(t, b.il)
	if b.runs(t) != 1 || !strings.Contains(strings.Join(st.Did, ""), "caught up the missed") {
		t.Fatalf("not started: %+v", st)
	}
	b.waitDone(t)
	b.oldLog(t) // still looks missed
	b.pass(t, b.il)
	b.pass(t, b.interlock(false)) // a restart of the watch service
	if n := b.runs(t); n != 1 {
		t.Fatalf("%d starts for one missed slot", n)
	}
	recs, _ := gate.ReadAudit(b.cfg.AuditLog)
	for _, r := range recs {
		if r.Action == "jobs.run" && r.Phase == "start" && !strings.Contains(strings.Join(r.Argv, " "), b.job) {
			t.Errorf("started %v", r.Argv)
		}
	}
}

// TestCatchUpAskDoesNothing: the default "ask" only makes the item.
func TestCatchUpAskDoesNothing(t *testing.T) {
	b := newBox(t, false)
	b.cfg.Watch.CatchUp = "ask"
	if st := b.pass(t, b.il); len(st.Did) != 0 || b.runs(t) != 0 || len(b.sink.Texts()) != 0 {
		t.Fatalf("ask acted: %+v", st)
	}
}

// TestCatchUpReadOnly: refused by the gate, audited as catch-up, and said
// once: what it would have started.
func TestCatchUpReadOnly(t *testing.T) {
	b := newBox(t, true)
	b.pass(t, b.il)
	b.pass(t, b.il)
	recs, _ := gate.ReadAudit(b.cfg.AuditLog)
	refused := 0
	for _, r := range recs {
		if r.Phase == "refused" && r.Actor == gate.ActorCatchUp && r.Action == "jobs.run" {
			refused++
		}
	}
	if refused != 2 || b.runs(t) != 0 {
		t.Fatalf("refusals %d: %+v", refused, recs)
	}
	if m := b.sink.Texts(); len(m) != 1 || !strings.Contains(m[0], "read-only: would start the missed") {
		t.Fatalf("messages %q", m)
	}
	if ev := b.events(t); len(ev) != 1 || ev[0].Level != "warn" {
		t.Fatalf("events %+v", ev)
	}
}
