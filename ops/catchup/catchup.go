// Package catchup runs again what was missed while the box was down: a
// MISSED run (ops/jobs) becomes an attention item whose key runs it now
// (watch.catch_up = "ask"), or the watch service runs it by itself once
// the box has been up watch.catch_up_after and the checks before a start
// pass ("auto"): exactly once per missed slot, through run now with the
// trigger catch-up, as gate.ActorCatchUp.
package catchup

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/notify"
	"github.com/richs/richsops/ops/sanitize"
)

// Slot is one missed run: the job and the scheduled time it missed.
type Slot struct {
	Job    string
	At     time.Time
	Reason string
}

// Key names the slot in the history (the event's subject), so that a
// slot is caught up once whatever restarts in between.
func (s Slot) Key() string { return s.Job + "@" + s.At.UTC().Format(time.RFC3339) }

// Missed are the missed runs of sts.
func Missed(sts []jobs.Status) []Slot {
	var out []Slot
	for _, s := range sts {
		if s.Missed != nil {
			out = append(out, Slot{Job: s.Name, At: s.Missed.At, Reason: s.Missed.Reason})
		}
	}
	return out
}

// Spec is the run now of a catch-up.
func Spec(job string) jobs.RunSpec {
	return jobs.RunSpec{Job: job, Trigger: history.TriggerCatchUp}
}

// Check is the checks before a catch-up's start: the guard, the Amazon
// hold (jobs.DefaultBlock), a run already going. nil = it may start.
func Check(ctx context.Context, h host.Host, cfg *config.Config, job string) error {
	return jobs.Precheck(ctx, h, cfg, Spec(job), jobs.DefaultGuard)
}

// eventsBack is how far back the slots already caught up are looked for:
// a missed slot is one of the last day.
const eventsBack = 7 * 24 * time.Hour

// Interlock is catch-up = "auto" in the watch service.
type Interlock struct {
	Cfg  *config.Config
	Host host.Host
	Gate *gate.Gate
	// Store is the history: without it a start could not be made sure to
	// happen once, so none is made.
	Store func() *history.Store
	Sink  notify.Sink
	Now   func() time.Time
	// Boot is the host's boot time (host.BootTime; tests replace it).
	Boot func(ctx context.Context) (time.Time, error)

	told map[string]string // slot key -> the refusal said last
}

// Step is what one pass did.
type Step struct {
	Missed []Slot
	Did    []string
	Errors []string
}

// Pass starts each missed run not caught up yet, once the box has been up
// catch_up_after and its checks pass; a refusal is said (event, message)
// once per slot and reason, and tried again at the next pass.
func (il *Interlock) Pass(ctx context.Context) (Step, error) {
	var step Step
	cfg, t := il.Cfg, il.Cfg.T
	if cfg.Watch.CatchUp != "auto" {
		return step, nil
	}
	now := il.Now()
	sts, err := jobs.Snapshot(ctx, il.Host, cfg, now)
	if err != nil {
		return step, err
	}
	step.Missed = Missed(sts)
	if len(step.Missed) == 0 {
		return step, nil
	}
	boot, err := il.boot(ctx)
	if err != nil {
		return step, config.Errorf(t, "boot time: %w", "起動時刻: %w", err)
	}
	if up := now.Sub(boot); up < cfg.Watch.CatchUpAfter.Duration {
		step.Did = append(step.Did, fmt.Sprintf(t("waiting: up for %s of watch.catch_up_after %s", "待機中: 起動から %s（watch.catch_up_after は %s）"),
			human.DurationT(t, up), human.DurationT(t, cfg.Watch.CatchUpAfter.Duration)))
		return step, nil
	}
	store := il.Store()
	var events []history.Event
	if store != nil {
		events, err = store.Events(ctx, history.EventCatchUp, now.Add(-eventsBack))
	}
	for _, s := range step.Missed {
		switch {
		case store == nil || err != nil:
			il.refused(ctx, nil, s, t("the history cannot be read, so it could not be made sure to run once", "履歴を読めないため、1 回だけ実行することを保証できません"))
			continue
		case started(events, s.Key()):
			continue
		}
		if cerr := Check(ctx, il.Host, cfg, s.Job); cerr != nil {
			il.refused(ctx, store, s, cerr.Error())
			step.Did = append(step.Did, s.Job+": "+t("not run: ", "実行しません: ")+cerr.Error())
			continue
		}
		il.start(ctx, store, s, &step)
	}
	return step, nil
}

func (il *Interlock) boot(ctx context.Context) (time.Time, error) {
	if il.Boot != nil {
		return il.Boot(ctx)
	}
	return host.BootTime(ctx, il.Host)
}

// started is true when the slot's catch-up was started already (or its
// start failed: it is tried once).
func started(events []history.Event, key string) bool {
	for _, e := range events {
		if e.Subject == key && (e.Level == "ok" || e.Level == "crit") {
			return true
		}
	}
	return false
}

func (il *Interlock) start(ctx context.Context, store *history.Store, s Slot, step *Step) {
	cfg, t := il.Cfg, il.Cfg.T
	a, err := jobs.RunAction(ctx, il.Host, cfg, Spec(s.Job), jobs.DefaultGuard)
	if err != nil {
		il.refused(ctx, store, s, err.Error())
		return
	}
	a.Actor = gate.ActorCatchUp
	what := fmt.Sprintf(t("the missed %s run of %s", "%[2]s の %[1]s の抜けた実行"), s.At.Local().Format("01-02 15:04"), s.Job)
	if il.Gate.ReadOnly {
		il.Gate.Do(ctx, a) // refused and audited as catch-up's
		il.refused(ctx, store, s, t("read-only: would start ", "読み取り専用: 開始するところでした: ")+what)
		return
	}
	// Recorded before the start: a restart between the start and its
	// record must not start it a second time.
	if err := il.record(ctx, store, s, "ok", t("starting ", "開始します: ")+what); err != nil {
		il.refused(ctx, nil, s, t("the history cannot be written, so it could not be made sure to run once", "履歴に書き込めないため、1 回だけ実行することを保証できません"))
		return
	}
	res := il.Gate.Do(ctx, a)
	level, text, msgLevel := "ok", fmt.Sprintf(t("caught up %s: %s", "%[1]s を実行: %[2]s"), what, res.Outcome.Summary), notify.LevelWarn
	if res.Err != nil {
		level, text, msgLevel = "crit", fmt.Sprintf(t("catch-up of %s failed: %v", "%s の実行に失敗: %v"), what, res.Err), notify.LevelCrit
		step.Errors = append(step.Errors, text)
	} else {
		step.Did = append(step.Did, text)
	}
	_ = il.record(ctx, store, s, level, text)
	il.Sink.Notify(notify.Message{Time: il.Now(), Level: msgLevel, Kind: notify.KindCatchUp, Subject: s.Job, Host: il.Host.Name(), Text: sanitize.String(text)})
}

// refused says, once per slot and reason, why the slot was not run.
func (il *Interlock) refused(ctx context.Context, store *history.Store, s Slot, why string) {
	if il.told == nil {
		il.told = map[string]string{}
	}
	if il.told[s.Key()] == why {
		return
	}
	il.told[s.Key()] = why
	text := fmt.Sprintf(il.Cfg.T("missed %s run of %s not caught up: %s", "%[2]s の %[1]s の抜けた実行はしません: %[3]s"), s.At.Local().Format("01-02 15:04"), s.Job, why)
	if store != nil {
		_ = il.record(ctx, store, s, "warn", text)
	}
	il.Sink.Notify(notify.Message{Time: il.Now(), Level: notify.LevelWarn, Kind: notify.KindCatchUp, Subject: s.Job, Host: il.Host.Name(), Text: sanitize.String(text)})
}

func (il *Interlock) record(ctx context.Context, store *history.Store, s Slot, level, detail string) error {
	return store.AddEvent(ctx, history.Event{Time: il.Now(), Kind: history.EventCatchUp, Source: gate.ActorCatchUp, Subject: s.Key(), Level: level, Detail: detail})
}
