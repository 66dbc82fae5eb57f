package hold

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/notifytest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/notify"
)

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func TestWindowLearned(t *testing.T) {
	c := config.Default().Amazon // quiet 1h, clear 3h..6h
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	ev := func(at time.Duration, level string) history.Event {
		return history.Event{Time: t0.Add(at), Kind: history.EventHold, Source: Source, Subject: Subject, Level: level}
	}
	// holds of the given lengths, a day apart.
	holds := func(hs ...float64) []history.Event {
		var out []history.Event
		for i, h := range hs {
			day := time.Duration(i) * 24 * time.Hour
			out = append(out, ev(day, "crit"), ev(day+hours(h), "ok"))
		}
		return out
	}
	for _, c2 := range []struct {
		name   string
		events []history.Event
		want   time.Duration
	}{
		{"none: clear_after", nil, hours(3)},
		{"one short: at least clear_after", holds(2), hours(3)},
		{"one long: at most clear_max", holds(8), hours(6)},
		{"four: median within bounds", holds(4, 5, 4.5, 3.5), hours(4.25)},
		{"five: the median itself", holds(2, 2, 2, 9, 2), hours(2)},
		{"five long: capped at twice clear_max", holds(20, 20, 20, 20, 20), hours(12)},
		{"a read-only note is no hold", append(holds(4), ev(30*time.Hour, "warn")), hours(4)},
		// Resumed after 3h, blocked again 30 min later, 2h more: one block of 5.5h.
		{"a block coming back soon after is the same", []history.Event{ev(0, "crit"), ev(hours(3), "ok"), ev(hours(3.5), "crit"), ev(hours(5.5), "ok")}, hours(5.5)},
		{"an open hold is not counted", []history.Event{ev(0, "crit"), ev(hours(4), "ok"), ev(hours(30), "crit")}, hours(4)},
	} {
		t.Run(c2.name, func(t *testing.T) {
			if got := Window(c, Durations(c2.events, c.QuietAfter.Duration)); got != c2.want {
				t.Errorf("window %v, want %v (durations %v)", got, c2.want, Durations(c2.events, c.QuietAfter.Duration))
			}
		})
	}
}

// world is a box with a real crontab, a real application log with
// Amazon's 503s, an audit log, a history database and a fake clock.
type world struct {
	cfg   *config.Config
	h     host.Host
	gate  *gate.Gate
	store *history.Store
	sink  *notifytest.Sink
	now   time.Time
	il    *Interlock
	tab   string // the crontab's original text
	log   string
}

const cronText = `SHELL=/bin/sh
0 3,15 * * * richs cd /app && python manage.py check_item_yahoo 2 4 --max-workers 14
30 3,15 * * * richs cd /app && python manage.py check_item_mercari 2 4 --max-workers 14
0 9,21 * * * richs cd /app && python manage.py update_item_yahoo 2 4 --max-workers 14
30 9,21 * * * richs cd /app && python manage.py update_item_mercari 2 4 --max-workers 14
`

// t0 is when the block starts in the log.
var t0 = time.Date(2026, 11, 27, 14, 2, 0, 0, time.Local)

func blockLine(at time.Time) string {
	return at.Format("2006-01-02 15:04:05") + `,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 "GET /dp/B0 HTTP/1.1" 503 2671` + "\n"
}

func newWorld(t *testing.T, readOnly bool) *world {
	t.Helper()
	dir := t.TempDir()
	cfg := edittest.Config(t, config.Default())
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	cfg.AuditLog = filepath.Join(dir, "audit.log")
	cfg.History.Path = filepath.Join(dir, "history.db")
	w := &world{cfg: cfg, h: edittest.Local(cfg), sink: &notifytest.Sink{}, now: t0.Add(10 * time.Minute), tab: cronText, log: filepath.Join(dir, "django.log")}
	cfg.Logs = []config.Log{{Name: "django", Path: w.log}}
	cfg.Amazon.Logs = []string{"django"}
	if err := os.WriteFile(cfg.Crontab.Path, []byte(cronText), 0o644); err != nil {
		t.Fatal(err)
	}
	var text string
	for i := range 37 { // 37 blocked answers, 14:02 to 14:08
		text += blockLine(t0.Add(time.Duration(i) * 10 * time.Second))
	}
	if err := os.WriteFile(w.log, []byte("2026-11-27 13:00:00,000 INFO richs_app ok\n"+text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := history.OpenWriter(context.Background(), cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w.store = s
	w.gate = gate.New(readOnly, cfg.AuditLog)
	w.gate.Now = func() time.Time { return w.now }
	w.il = &Interlock{Cfg: cfg, Hosts: host.NewRegistry(cfg), Host: w.h, Gate: w.gate, Store: func() *history.Store { return w.store }, Sink: w.sink,
		Now: func() time.Time { return w.now }}
	return w
}

func (w *world) pass(t *testing.T) Step {
	t.Helper()
	st, err := w.il.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) > 0 {
		t.Fatalf("errors: %v", st.Errors)
	}
	return st
}

func (w *world) state(t *testing.T, job string) crontab.State {
	t.Helper()
	f, err := crontab.Load(context.Background(), w.h, w.cfg.Crontab.Path)
	if err != nil {
		t.Fatal(err)
	}
	return f.JobState(job)
}

func (w *world) events(t *testing.T) []history.Event {
	t.Helper()
	ev, err := w.store.Events(context.Background(), history.EventHold, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestHoldStartsAndEnds: a block in a real log pauses the two Yahoo jobs
// (amazon = true) as the hold's own, says so in the history and a message,
// keeps them held while blocked answers come, and resumes them once the
// window passed with a quiet log: the crontab is as it was.
func TestHoldStartsAndEnds(t *testing.T) {
	w := newWorld(t, false)
	st := w.pass(t)
	for _, j := range []string{"check_item_yahoo", "update_item_yahoo"} {
		if w.state(t, j) != crontab.StatePaused {
			t.Errorf("%s not paused: %+v", j, st)
		}
		if by, _ := jobs.PausedBy(context.Background(), w.cfg, w.h, j); by != gate.ActorHold {
			t.Errorf("%s paused by %q", j, by)
		}
	}
	for _, j := range []string{"check_item_mercari", "update_item_mercari"} {
		if w.state(t, j) != crontab.StateActive {
			t.Errorf("%s touched", j)
		}
	}
	ev := w.events(t)
	if len(ev) != 1 || ev[0].Level != "crit" || !strings.Contains(ev[0].Detail, "held: Amazon block since 14:02, 37 503s") ||
		!strings.Contains(ev[0].Detail, "check_item_yahoo, update_item_yahoo until about 17:12") {
		t.Fatalf("start event %+v", ev)
	}
	if m := w.sink.All(); len(m) != 1 || m[0].Kind != notify.KindHold || !m[0].Open || m[0].Level != notify.LevelCrit {
		t.Fatalf("start message %+v", m)
	}
	// What the Jobs tab says of the pause.
	sts, err := jobs.Snapshot(context.Background(), w.h, w.cfg, w.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.Name == "check_item_yahoo" && (s.Paused == nil || !strings.Contains(s.Paused.Describe(nil), "held by richsops watch during an Amazon block at 11-27 14:12: held: Amazon block since 14:02, 37 503s")) {
			t.Errorf("pause: %+v", s.Paused)
		}
	}

	// Still blocked 20 minutes later: nothing more.
	w.now = t0.Add(30 * time.Minute)
	os.WriteFile(w.log, append(must(os.ReadFile(w.log)), blockLine(t0.Add(25*time.Minute))...), 0o644)
	st = w.pass(t)
	if len(w.events(t)) != 1 || len(w.sink.All()) != 1 || len(st.Did) != 0 {
		t.Fatalf("a second pass acted: %+v", st)
	}
	if got := st.State.Describe(nil); got != "check_item_yahoo, update_item_yahoo held until about 17:12" {
		t.Errorf("describe %q", got)
	}
	// Window over, but a blocked answer 40 min ago: still held.
	w.now = t0.Add(3*time.Hour + 15*time.Minute)
	os.WriteFile(w.log, append(must(os.ReadFile(w.log)), blockLine(w.now.Add(-40*time.Minute))...), 0o644)
	st = w.pass(t)
	if w.state(t, "check_item_yahoo") != crontab.StatePaused || !strings.Contains(strings.Join(st.Did, " "), "quiet check") {
		t.Fatalf("resumed while not quiet: %+v", st.Did)
	}
	// Quiet for an hour: resumed, exactly as it was.
	w.now = w.now.Add(30 * time.Minute)
	st = w.pass(t)
	if got := string(must(os.ReadFile(w.cfg.Crontab.Path))); got != cronText {
		t.Fatalf("crontab after the hold:\n%s", got)
	}
	ev = w.events(t)
	if len(ev) != 2 || ev[1].Level != "ok" || !strings.Contains(ev[1].Detail, "resumed check_item_yahoo, update_item_yahoo after 3h35m") {
		t.Fatalf("end event %+v", ev)
	}
	if m := w.sink.All(); len(m) != 2 || m[1].Open || m[1].Level != notify.LevelOK || m[1].Subject != Subject {
		t.Fatalf("end message %+v", m)
	}
	if st.State.Describe(nil) == "" {
		t.Error("the step's state is the one it acted on")
	}
}

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestOperatorPauseStays: two at once. While the hold ends, one held job
// is the operator's (resumed and paused again by hand) and another has an
// operator's pause under way: both stay paused; only the hold's own is
// resumed.
func TestOperatorPauseStays(t *testing.T) {
	w := newWorld(t, false)
	w.cfg.Jobs[1].Amazon = true // check_item_mercari held too
	w.pass(t)
	ctx := context.Background()
	op := gate.New(false, w.cfg.AuditLog)
	op.User = "operator-test"
	for _, build := range []func() (gate.Action, error){
		func() (gate.Action, error) { return jobs.ResumeAction(ctx, w.h, w.cfg, "check_item_yahoo") },
		func() (gate.Action, error) { return jobs.PauseAction(ctx, w.h, w.cfg, "check_item_yahoo", false, 0) },
	} {
		a, err := build()
		if err != nil {
			t.Fatal(err)
		}
		if r := op.Do(ctx, a); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	// An operator's resume of check_item_mercari has started (its start
	// record is written) and not ended: the hold keeps out of it.
	f, _ := os.OpenFile(w.cfg.AuditLog, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-27T17:00:00Z","phase":"start","user":"op","host":"local","action":"jobs.resume","target":"check_item_mercari","pid":1}` + "\n")
	f.Close()

	// A pause by a process that died before its end is not under way.
	f, _ = os.OpenFile(w.cfg.AuditLog, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-27T17:00:00Z","phase":"start","user":"op","host":"local","action":"jobs.pause","target":"update_item_yahoo","pid":` + strconv.Itoa(deadPID(t)) + `}` + "\n")
	f.Close()

	w.now = t0.Add(4 * time.Hour)
	st := w.pass(t)
	if w.state(t, "check_item_yahoo") != crontab.StatePaused || w.state(t, "check_item_mercari") != crontab.StatePaused {
		t.Fatalf("an operator's pause was resumed: %+v", st)
	}
	if w.state(t, "update_item_yahoo") != crontab.StateActive {
		t.Fatalf("the hold's own pause not resumed: %+v", st)
	}
	ev := w.events(t)
	last := ev[len(ev)-1]
	if last.Level != "ok" || !strings.Contains(last.Detail, "resumed update_item_yahoo") ||
		strings.Contains(last.Detail, "check_item_yahoo") || // the operator's since: no longer the hold's
		!strings.Contains(last.Detail, "check_item_mercari: a pause or resume of it is under way") {
		t.Fatalf("end event %+v", last)
	}
}

// TestResumeOwnCheckedUnderLock: the check is made again under the
// crontab's lock, so an operator taking the pause over between the plan
// and the edit keeps it.
func TestResumeOwnCheckedUnderLock(t *testing.T) {
	w := newWorld(t, false)
	w.pass(t)
	ctx := context.Background()
	a, err := jobs.ResumeOwnAction(ctx, w.h, w.cfg, "check_item_yahoo", gate.ActorHold)
	if err != nil {
		t.Fatal(err)
	}
	// Meanwhile the operator starts a pause of it.
	f, _ := os.OpenFile(w.cfg.AuditLog, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-27T17:00:00Z","phase":"start","user":"op","host":"local","action":"jobs.pause","target":"check_item_yahoo","pid":1}` + "\n")
	f.Close()
	r := w.gate.Do(ctx, a)
	if !errors.Is(r.Err, jobs.ErrNotOwn) || w.state(t, "check_item_yahoo") != crontab.StatePaused {
		t.Fatalf("resumed under an operator's pause: %v", r.Err)
	}
}

// TestHoldReadOnly: in read-only mode the hold pauses nothing, each
// refusal is audited as the hold's, and it records and notifies once
// what it would have done.
func TestHoldReadOnly(t *testing.T) {
	w := newWorld(t, true)
	w.pass(t)
	w.pass(t)
	if got := string(must(os.ReadFile(w.cfg.Crontab.Path))); got != cronText {
		t.Fatalf("read-only changed the crontab:\n%s", got)
	}
	recs, err := gate.ReadAudit(w.cfg.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, r := range recs {
		if r.Phase == "refused" && r.Actor == gate.ActorHold && r.Action == "jobs.pause" {
			refused++
		}
	}
	if refused != 4 { // two jobs, two passes
		t.Errorf("%d refusals audited: %+v", refused, recs)
	}
	m := w.sink.All()
	if len(m) != 1 || !strings.Contains(m[0].Text, "read-only: would hold check_item_yahoo, update_item_yahoo: held: Amazon block since 14:02") {
		t.Fatalf("messages %+v", m)
	}
	if ev := w.events(t); len(ev) != 1 || ev[0].Level != "warn" {
		t.Fatalf("events %+v", ev)
	}
}

// TestRunNowRefusedDuringBlock: run now of an Amazon-heavy job is refused
// during a block (the hold's state wired as jobs.DefaultBlock), with
// OVERRIDE it is an action with the danger word and a preview naming the
// block; a job that is not Amazon-heavy is not asked about.
func TestRunNowRefusedDuringBlock(t *testing.T) {
	w := newWorld(t, false)
	ctx := context.Background()
	w.cfg.App.Dir = t.TempDir()
	old := jobs.DefaultBlock
	t.Cleanup(func() { jobs.DefaultBlock = old })
	jobs.DefaultBlock = func(ctx context.Context) (*jobs.Block, error) {
		st, err := Read(ctx, w.cfg, w.il.Hosts, w.h, nil, w.now)
		return st.RunBlock(), err
	}
	err := jobs.Precheck(ctx, w.h, w.cfg, jobs.RunSpec{Job: "check_item_yahoo"}, nil)
	var be *jobs.BlockError
	if !errors.As(err, &be) || !jobs.Overridable(err) || !strings.Contains(err.Error(), "Amazon block since 11-27 14:02, 37 503(s) in the last hour") {
		t.Fatalf("not refused: %v", err)
	}
	if err := jobs.Precheck(ctx, w.h, w.cfg, jobs.RunSpec{Job: "check_item_mercari"}, func(context.Context) (bool, string) { return true, "" }); err != nil {
		t.Fatalf("a job that is not Amazon-heavy: %v", err)
	}
	a, err := jobs.RunAction(ctx, w.h, w.cfg, jobs.RunSpec{Job: "check_item_yahoo", Override: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Danger != jobs.OverrideWord || a.Name != "jobs.run.override" || !strings.Contains(strings.Join(a.Preview, "\n"), "AMAZON BLOCK OVERRIDE: Amazon block since 11-27 14:02, 37 503(s)") {
		t.Fatalf("override action %+v", a)
	}
	// Held: the refusal says until when.
	w.pass(t)
	err = jobs.Precheck(ctx, w.h, w.cfg, jobs.RunSpec{Job: "check_item_yahoo"}, nil)
	if !strings.Contains(err.Error(), "held until about 17:12") {
		t.Fatalf("held refusal: %v", err)
	}
	w.cfg.Lang = "ja"
	err = jobs.Precheck(ctx, w.h, w.cfg, jobs.RunSpec{Job: "check_item_yahoo"}, nil)
	if !strings.Contains(err.Error(), "Amazon ブロック中") || !strings.Contains(err.(interface{ English() string }).English(), "Amazon block since") {
		t.Fatalf("ja refusal: %v", err)
	}
}

// TestLearnedWindowFromHistory: five past holds of two hours in the
// history make this hold's window two hours (not clear_after's three),
// and the hold ends then.
func TestLearnedWindowFromHistory(t *testing.T) {
	w := newWorld(t, false)
	ctx := context.Background()
	for i := range 5 {
		start := t0.Add(-time.Duration(i+1) * 48 * time.Hour)
		for _, e := range []history.Event{{Time: start, Level: "crit"}, {Time: start.Add(2 * time.Hour), Level: "ok"}} {
			e.Kind, e.Source, e.Subject = history.EventHold, Source, Subject
			if err := w.store.AddEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := w.pass(t)
	if st.State.Past != 5 || !strings.Contains(w.events(t)[10].Detail, "until about 16:12") {
		t.Fatalf("window %v from %d past holds: %+v", st.State.Window, st.State.Past, w.events(t)[10])
	}
	w.now = t0.Add(2*time.Hour + 9*time.Minute)
	w.pass(t)
	if w.state(t, "check_item_yahoo") != crontab.StatePaused {
		t.Fatal("resumed before the window")
	}
	w.now = t0.Add(2*time.Hour + 10*time.Minute)
	w.pass(t)
	if w.state(t, "check_item_yahoo") != crontab.StateActive {
		t.Fatal("not resumed after the learned window")
	}
}

// TestHoldJapanese: the hold's record and message in the configured
// language, the operands in their places.
func TestHoldJapanese(t *testing.T) {
	w := newWorld(t, false)
	w.cfg.Lang = "ja"
	w.pass(t)
	want := "保留: Amazon ブロック（14:02 から、503 が 37 件）: check_item_yahoo, update_item_yahoo を 17:12 ごろまで保留（期間 3時間、過去 0 回の保留から）"
	if ev := w.events(t); len(ev) != 1 || ev[0].Detail != want {
		t.Fatalf("event %+v\nwant %s", ev, want)
	}
	if m := w.sink.All(); len(m) != 1 || m[0].Text != want {
		t.Fatalf("message %+v", m)
	}
}
