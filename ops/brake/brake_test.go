package brake_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/jobtest"
	"github.com/richs/richsops/internal/testenv/notifytest"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/brake"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/guard"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/notify"
)

// Job names of our own: other packages' tests and the demo run fake
// check_item_mercari processes on this machine.
var (
	braked = fmt.Sprintf("check_item_mercari_tb%d", os.Getpid())
	sharer = fmt.Sprintf("update_item_mercari_tb%d", os.Getpid())
)

const withdrawn = "在庫切れ → 出品取り下げ"

// world is a braked job (and one sharing its log), their crontab, log,
// audit log and history, and real processes standing in for their runs.
type world struct {
	t     testing.TB
	cfg   *config.Config
	dir   string
	log   string
	h     host.Host
	store *history.Store
	sink  *notifytest.Sink
}

func newWorld(t testing.TB) *world {
	svctest.Need(t, "sh")
	svctest.Need(t, "sleep")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte(jobtest.SleepingManage), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := edittest.Config(t, config.Default())
	cfg.AuditLog = filepath.Join(dir, "audit.jsonl")
	cfg.App.Dir, cfg.App.LogDir = dir, dir
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	counts := map[string]string{"withdrawn": withdrawn}
	cfg.Jobs = []config.Job{
		{Name: braked, Log: "inventory-mercari.log", Counts: counts,
			Brake: config.Brake{Count: "withdrawn", Factor: 5, MinPerMinute: 20, Window: config.Duration{Duration: time.Minute}}},
		{Name: sharer, Log: "inventory-mercari.log", Counts: counts},
	}
	w := &world{t: t, cfg: cfg, dir: dir, log: filepath.Join(dir, "inventory-mercari.log"), h: edittest.Local(cfg), sink: &notifytest.Sink{}}
	w.writeFile(cfg.Crontab.Path, crontabText())
	w.writeFile(w.log, "")
	s, err := history.OpenWriter(context.Background(), filepath.Join(dir, "history.db"), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w.store = s
	return w
}

func crontabText() string {
	return "SHELL=/bin/bash\n" +
		"*/10 * * * * richs cd /app && python manage.py " + braked + " 2 4 >> /app/logs/inventory-mercari.log 2>&1\n" +
		"0 4 * * * richs cd /app && python manage.py " + sharer + " 2 4\n"
}

func pausedText() string {
	lines := strings.SplitAfter(crontabText(), "\n")
	lines[1] = crontab.PausedPrefix + lines[1]
	return strings.Join(lines, "")
}

func (w *world) writeFile(p, s string) {
	w.t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) crontab() string {
	w.t.Helper()
	data, err := os.ReadFile(w.cfg.Crontab.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

// spawn starts a process that looks like a run of job (extra: more argv).
func (w *world) spawn(job string, extra ...string) int {
	return jobtest.Spawn(w.t, w.h, w.cfg, w.dir, job, extra...)
}

func (w *world) running(job string) map[int]bool { return jobtest.Running(w.t, w.h, w.cfg, job) }

// lines appends n stamped lines at t, withdrawals or not.
func (w *world) lines(n int, at time.Time, withdrawal bool) {
	w.t.Helper()
	f, err := os.OpenFile(w.log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for i := range n {
		msg := "在庫あり: item"
		if withdrawal {
			msg = withdrawn + ": item"
		}
		fmt.Fprintf(&b, "%s INFO inventory.mercari %s %d\n", at.Format("2006-01-02 15:04:05,000"), msg, i)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) brake(g *gate.Gate) *brake.Brake {
	return &brake.Brake{Cfg: w.cfg, Host: w.h, Gate: g, Store: func() *history.Store { return w.store }, Sink: w.sink, Wait: 2 * time.Second}
}

func (w *world) gate() *gate.Gate { return gate.New(false, w.cfg.AuditLog) }

func (w *world) audited() []gate.Record {
	recs, err := gate.ReadAudit(w.cfg.AuditLog)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	return recs
}

func (w *world) events() []history.Event {
	w.t.Helper()
	evs, err := w.store.Events(context.Background(), history.EventBrake, time.Time{})
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

// seed records n complete runs of the braked job, each 10 minutes with
// perRun withdrawals.
func (w *world) seed(n, perRun int) {
	w.t.Helper()
	var rs []history.Run
	start := time.Now().Add(-48 * time.Hour)
	for i := range n {
		s := start.Add(time.Duration(i) * time.Hour)
		rs = append(rs, history.Run{Job: braked, Host: w.h.Name(), PID: 1000 + i, Start: s, End: s.Add(10 * time.Minute),
			Counts: map[string]int{"withdrawn": perRun}})
	}
	if _, err := w.store.AddRuns(context.Background(), rs); err != nil {
		w.t.Fatal(err)
	}
}

func once(t *testing.T, b *brake.Brake) []brake.Trip {
	t.Helper()
	trips, err := b.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return trips
}

// checkBraked: the lines paused once, the process gone, the pause the
// brake's, an event and a message.
func (w *world) checkBraked(tr brake.Trip, pid int, why string) {
	t := w.t
	t.Helper()
	if !tr.Done || len(tr.Errs) > 0 || !strings.Contains(tr.Why, why) {
		t.Fatalf("trip %+v, want done, why containing %q", tr, why)
	}
	if got := w.crontab(); got != pausedText() {
		t.Fatalf("crontab:\n%s\nwant:\n%s", got, pausedText())
	}
	if w.running(braked)[pid] {
		t.Fatalf("pid %d still running", pid)
	}
	sts, err := jobs.Snapshot(context.Background(), w.h, w.cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.Name == braked && (s.Paused == nil || s.Paused.By != gate.ActorBrake || !strings.Contains(s.Paused.Describe(nil), "braked by richsops watch") ||
			!strings.Contains(s.Paused.Describe(nil), why)) {
			t.Fatalf("pause %+v", s.Paused)
		}
	}
	evs := w.events()
	if len(evs) != 1 || evs[0].Level != "crit" || !strings.Contains(evs[0].Detail, why) || !strings.Contains(evs[0].Detail, "resume with p") {
		t.Fatalf("events %+v", evs)
	}
	msgs := w.sink.All()
	if len(msgs) != 1 || msgs[0].Kind != notify.KindBrake || msgs[0].Level != notify.LevelCrit || msgs[0].Subject != braked {
		t.Fatalf("messages %+v", msgs)
	}
}

// TestTrips: at under withdrawals in the minute (among other lines) the
// run goes on; over more, it is braked: its lines paused once, its process
// stopped, each step's result said, the pause audited as the brake's.
func TestTrips(t *testing.T) {
	for _, tc := range []struct {
		name        string
		setup       func(w *world)
		under, more int
		why         string
	}{
		{"over the floor, no baseline yet", nil, 15, 10, "25 withdrawn in the last minute, over the floor of 20/min (no baseline yet)"},
		{"over factor x the baseline", func(w *world) { w.seed(7, 300) }, // 30/min usual: braked over 150/min
			100, 110, "210 withdrawn in the last minute, 7x the usual 30/min"},
		{"over max_per_run", func(w *world) { w.cfg.Jobs[0].Brake.MinPerMinute, w.cfg.Jobs[0].Brake.MaxPerRun = 1e6, 50 },
			50, 1, "51 withdrawn in this run, over max_per_run 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			pid := w.spawn(braked)
			b := w.brake(w.gate())
			w.lines(tc.under, time.Now(), true)
			w.lines(100, time.Now(), false)
			if trips := once(t, b); len(trips) != 0 {
				t.Fatalf("braked at %d: %+v", tc.under, trips)
			}
			w.lines(tc.more, time.Now(), true)
			trips := once(t, b)
			if len(trips) != 1 {
				t.Fatalf("trips %+v", trips)
			}
			w.checkBraked(trips[0], pid, tc.why)
			did := strings.Join(trips[0].Did, "\n")
			for _, want := range []string{"paused (1 line(s))", "written; backup", "reloaded: true", fmt.Sprintf("pid %d: SIGTERM", pid)} {
				if !strings.Contains(did, want) {
					t.Errorf("steps %q lack %q", did, want)
				}
			}
			recs := w.audited()
			if len(recs) != 2 || recs[1].Actor != gate.ActorBrake || recs[1].Outcome != "ok" || !strings.HasPrefix(recs[1].Summary, "braked: ") {
				t.Fatalf("audit %+v", recs)
			}
			if trips := once(t, b); len(trips) != 0 {
				t.Fatalf("braked once: %+v", trips)
			}
		})
	}
}

func TestBaselineRate(t *testing.T) {
	at := time.Now()
	run := func(minutes, n int, f func(*history.Run)) history.Run {
		r := history.Run{Start: at, End: at.Add(time.Duration(minutes) * time.Minute), Counts: map[string]int{"withdrawn": n}}
		if f != nil {
			f(&r)
		}
		return r
	}
	one := 1
	for _, tc := range []struct {
		name string
		rs   []history.Run
		rate float64
		n    int
	}{
		{"none", nil, 0, 0},
		{"median of three", []history.Run{run(10, 100, nil), run(10, 300, nil), run(10, 5000, nil)}, 30, 3},
		{"median of two", []history.Run{run(10, 100, nil), run(10, 300, nil)}, 20, 2},
		{"overlapped, killed, failed, running, short and countless left out", []history.Run{
			run(10, 100, nil),
			run(10, 9000, func(r *history.Run) { r.Overlap = true }),
			run(10, 9000, func(r *history.Run) { r.KilledBy = "guard" }),
			run(10, 9000, func(r *history.Run) { r.ExitCode = &one }),
			run(10, 9000, func(r *history.Run) { r.End = time.Time{} }),
			run(0, 9000, nil),
			run(10, 0, func(r *history.Run) { r.Counts = nil }),
		}, 10, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rate, n := brake.BaselineRate(tc.rs, "withdrawn")
			if rate != tc.rate || n != tc.n {
				t.Fatalf("got %v over %d, want %v over %d", rate, n, tc.rate, tc.n)
			}
		})
	}
}

func TestSharedLog(t *testing.T) {
	w := newWorld(t)
	// The other job's earlier run withdrew a lot into the same log.
	w.lines(500, time.Now().Add(-5*time.Minute), true)
	pid := w.spawn(braked)
	b := w.brake(w.gate())
	w.lines(5, time.Now(), true)
	if trips := once(t, b); len(trips) != 0 {
		t.Fatalf("the other job's lines before this run counted: %+v", trips)
	}
	// The other job runs for a while meanwhile: its lines cannot be told
	// apart, and the message says so after it ended too.
	other := w.spawn(sharer)
	if trips := once(t, b); len(trips) != 0 {
		t.Fatalf("trips %+v", trips)
	}
	syscall.Kill(-other, syscall.SIGKILL)
	svctest.Eventually(t, 10*time.Second, "the other job ended", func() bool { return len(w.running(sharer)) == 0 })
	w.lines(30, time.Now(), true)
	trips := once(t, b)
	if len(trips) != 1 || !strings.Contains(trips[0].Why, sharer+" ran during this run, writing the same log") {
		t.Fatalf("trips %+v", trips)
	}
	w.checkBraked(trips[0], pid, "35 withdrawn in the last minute")
}

func TestReadOnlyRefusesAndNotifies(t *testing.T) {
	w := newWorld(t)
	pid := w.spawn(braked)
	b := w.brake(gate.New(true, w.cfg.AuditLog))
	w.lines(40, time.Now(), true)
	trips := once(t, b)
	if len(trips) != 1 || !trips[0].Read || trips[0].Done {
		t.Fatalf("trips %+v", trips)
	}
	if w.crontab() != crontabText() || !w.running(braked)[pid] {
		t.Fatal("read-only changed something")
	}
	recs := w.audited()
	if len(recs) != 1 || recs[0].Phase != "refused" || recs[0].Actor != gate.ActorBrake || recs[0].Action != "jobs.pause" {
		t.Fatalf("audit %+v", recs)
	}
	msgs := w.sink.All()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "would have braked (read-only): 40 withdrawn") {
		t.Fatalf("messages %+v", msgs)
	}
	if evs := w.events(); len(evs) != 1 || !strings.Contains(evs[0].Detail, "would have braked") {
		t.Fatalf("events %+v", evs)
	}
	if trips := once(t, b); len(trips) != 0 || len(w.sink.All()) != 1 {
		t.Fatalf("said once per run: %+v", trips)
	}
}

// TestWithGuard: the guard pauses the same job at the same moment. One
// pause, both audited, the processes stopped, the trip recorded.
func TestWithGuard(t *testing.T) {
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprint("concurrent=", concurrent), func(t *testing.T) {
			w := newWorld(t)
			pid := w.spawn(braked)
			g := w.gate()
			b := w.brake(g)
			ctx := context.Background()
			gp, err := guard.StopPlan(ctx, w.cfg, w.h, braked, 2*time.Second, gate.ActorGuard)
			if err != nil || gp.Action == nil {
				t.Fatal(gp, err)
			}
			ga := *gp.Action
			ga.Actor = gate.ActorGuard
			w.lines(40, time.Now(), true)
			var trips []brake.Trip
			if concurrent {
				var wg sync.WaitGroup
				wg.Add(1)
				go func() { defer wg.Done(); g.Do(ctx, ga) }()
				trips = once(t, b)
				wg.Wait()
			} else {
				// The brake's plan is made before the guard's pause is written.
				bp, err := guard.StopPlan(ctx, w.cfg, w.h, braked, 2*time.Second, "brake")
				if err != nil {
					t.Fatal(err)
				}
				calls := 0
				b.Stop = func(ctx context.Context, job string) (guard.Plan, error) {
					if calls++; calls == 1 {
						if res := g.Do(ctx, ga); res.Err != nil {
							t.Fatal(res.Err)
						}
						return bp, nil
					}
					return guard.StopPlan(ctx, w.cfg, w.h, job, 2*time.Second, "brake")
				}
				trips = once(t, b)
			}
			// Concurrent, the guard may also be done before the brake looks
			// (no trip) or plans (nothing left for it to do).
			if (len(trips) != 1 && !concurrent) || len(trips) > 1 || (len(trips) == 1 && !trips[0].Done) {
				t.Fatalf("trips %+v", trips)
			}
			if got := w.crontab(); got != pausedText() {
				t.Fatalf("crontab:\n%s", got)
			}
			svctest.Eventually(t, 10*time.Second, "the process gone", func() bool { return !w.running(braked)[pid] })
			var actors []string
			for _, r := range w.audited() {
				if r.Phase != "start" {
					actors = append(actors, r.Actor+" "+r.Action+" "+r.Outcome)
				}
			}
			got := strings.Join(actors, ", ")
			// Both planned the pause before either wrote it: the second is
			// refused (already paused), audited, and the brake goes on to
			// stop what still runs. Concurrent, either may write first.
			if !concurrent && got != "guard jobs.pause ok, brake jobs.pause error" {
				t.Fatalf("audit: %s", got)
			}
			if strings.Count(got, "jobs.pause ok") != 1 {
				t.Fatalf("paused twice: %s", got)
			}
			if len(w.events()) != len(trips) || len(w.sink.All()) != len(trips) {
				t.Fatalf("events %+v messages %+v", w.events(), w.sink.All())
			}
		})
	}
}

func TestHostileSanitized(t *testing.T) {
	w := newWorld(t)
	w.cfg.Jobs[0].Counts["\x1b[2Jwd"] = withdrawn
	w.cfg.Jobs[0].Brake.Count = "\x1b[2Jwd"
	w.spawn(braked, "\x1b]0;owned\x07", "\x9b31m")
	f, err := os.OpenFile(w.log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		fmt.Fprintf(f, "%s INFO %s \x1b[31m\x1b]8;;http://x\x07evil\r\n", time.Now().Format("2006-01-02 15:04:05"), withdrawn)
	}
	f.Close()
	trips := once(t, w.brake(w.gate()))
	if len(trips) != 1 || !trips[0].Done {
		t.Fatalf("trips %+v", trips)
	}
	texts := []string{trips[0].Text(nil), w.events()[0].Detail, w.sink.All()[0].Text}
	for _, r := range w.audited() {
		texts = append(texts, r.Summary)
	}
	for _, s := range texts {
		if strings.ContainsAny(s, "\x1b\x07\r\u009b") {
			t.Errorf("not sanitized: %q", s)
		}
	}
}

// TestJapanese: the trip's text, event and message in the configured
// language.
func TestJapanese(t *testing.T) {
	w := newWorld(t)
	w.cfg.Lang = "ja"
	w.spawn(braked)
	w.lines(40, time.Now(), true)
	trips := once(t, w.brake(gate.New(true, w.cfg.AuditLog)))
	if len(trips) != 1 {
		t.Fatalf("trips %+v", trips)
	}
	want := braked + " ブレーキをかけるところでした（読み取り専用）: 直近 1 分間に 40 件の withdrawn（下限 毎分 20 件を超過、基準値はまだありません）"
	for _, s := range []string{trips[0].Text(w.cfg.T), w.sink.All()[0].Text, w.events()[0].Detail} {
		if !strings.HasPrefix(s, want) || strings.Contains(s, "braked") || strings.Contains(s, "would") {
			t.Errorf("%q, want %q...", s, want)
		}
	}
}
