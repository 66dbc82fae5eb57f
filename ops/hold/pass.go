package hold

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// Interlock is the hold as the watch service runs it: each Pass reads the
// state and starts or ends the hold through the gate as gate.ActorHold.
type Interlock struct {
	Cfg   *config.Config
	Hosts *host.Registry
	Host  host.Host // the jobs' host
	Gate  *gate.Gate
	// Store is the history (nil while it cannot be opened: the hold goes
	// on, judged from the audit log alone).
	Store func() *history.Store
	Sink  notify.Sink
	Now   func() time.Time

	// told is the last read-only "would have" said, so that it is said
	// once per start or end, not at every pass.
	told string
}

// Step is what one pass did.
type Step struct {
	State State
	Did   []string
	// Errors are what failed; the next pass tries again.
	Errors []string
}

// Pass reads the hold and acts: a block that starts pauses the
// Amazon-heavy jobs whose lines run; a hold whose window passed with
// quiet logs resumes the ones still its own.
func (il *Interlock) Pass(ctx context.Context) (Step, error) {
	now := il.Now()
	store := il.Store()
	events, err := Events(ctx, il.Cfg, store, now)
	var step Step
	if err != nil {
		step.Errors = append(step.Errors, "history: "+err.Error())
	}
	st, err := Read(ctx, il.Cfg, il.Hosts, il.Host, events, now)
	step.State = st
	if err != nil {
		return step, err
	}
	switch {
	case !st.Open && st.Blocked():
		il.start(ctx, store, &step)
	case st.Open && !now.Before(st.Until):
		if why := il.notQuiet(st); why != "" {
			step.Did = append(step.Did, why)
			return step, nil
		}
		il.end(ctx, store, &step)
	}
	return step, nil
}

// notQuiet says why the quiet check fails ("" = quiet): a blocked answer
// within quiet_after, or logs that could not be read (no answer is not a
// quiet answer).
func (il *Interlock) notQuiet(st State) string {
	t := il.Cfg.T
	b := st.Block
	switch {
	case len(b.Errors) > 0 || len(b.Scanned) == 0:
		return t("quiet check: the logs could not all be read: ", "静穏の確認: ログを読めません: ") + sanitize.String(strings.Join(b.Errors, "; "))
	case !b.Last.IsZero() && st.Now.Sub(b.Last) < il.Cfg.Amazon.QuietAfter.Duration:
		return fmt.Sprintf(t("quiet check: blocked answer at %s; still held", "静穏の確認: %s にブロックの応答。保留を続けます"), b.Last.Local().Format("15:04"))
	}
	return ""
}

// why is the block in the hold's words, the pause's summary (the Jobs
// tab shows it as why the job is paused).
func (il *Interlock) why(st State) string {
	return fmt.Sprintf(il.Cfg.T("held: Amazon block since %s, %d 503s", "保留: Amazon ブロック（%s から、503 が %d 件）"),
		st.Block.Since.Local().Format("15:04"), st.Block.LastHour)
}

func (il *Interlock) start(ctx context.Context, store *history.Store, step *Step) {
	st, t := step.State, il.Cfg.T
	why := il.why(st)
	var held []string
	readOnly := false
	for _, name := range st.Active {
		a, err := jobs.PauseAction(ctx, il.Host, il.Cfg, name, false, 0)
		if err != nil {
			step.Errors = append(step.Errors, err.Error())
			continue
		}
		a.Actor = gate.ActorHold
		run := a.Run
		a.Run = func(ctx context.Context) (gate.Outcome, error) {
			out, err := run(ctx)
			out.Summary = why
			return out, err
		}
		res := il.Gate.Do(ctx, a)
		switch judge(res.Err) {
		case refusedReadOnly:
			readOnly = true
			held = append(held, name)
		case done:
			held = append(held, name)
			step.Did = append(step.Did, "jobs.pause "+name+": "+why)
		default:
			step.Errors = append(step.Errors, name+": "+res.Err.Error())
		}
	}
	until := st.Now.Add(st.Window)
	list := strings.Join(held, ", ")
	if list == "" {
		list = t("nothing to pause", "停止するものなし")
	}
	if readOnly {
		il.tell(ctx, store, "start "+st.Block.Since.String(), fmt.Sprintf(t("read-only: would hold %s: %s", "読み取り専用: %s を保留するところでした: %s"), list, why))
		return
	}
	if len(step.Errors) > 0 && len(held) == 0 && len(st.Active) > 0 {
		return // nothing held: the next pass tries again
	}
	if store == nil && len(held) == 0 {
		return // nothing done, and no record to keep the next pass from saying it again
	}
	text := fmt.Sprintf(t("%s: %s until about %s (window %s, from %d past hold(s))", "%[1]s: %[2]s を %[3]s ごろまで保留（期間 %[4]s、過去 %[5]d 回の保留から）"),
		why, list, until.Local().Format("15:04"), human.DurationT(t, st.Window), st.Past)
	il.record(ctx, store, history.Event{Time: st.Now, Level: "crit", Detail: text})
	il.Sink.Notify(notify.Message{Time: st.Now, Level: notify.LevelCrit, Kind: notify.KindHold, Subject: Subject, Host: il.Host.Name(), Text: sanitize.String(text), Open: true})
}

func (il *Interlock) end(ctx context.Context, store *history.Store, step *Step) {
	st, t := step.State, il.Cfg.T
	var resumed, stays []string
	readOnly, failed := false, false
	for _, name := range st.Held {
		a, err := jobs.ResumeOwnAction(ctx, il.Host, il.Cfg, name, gate.ActorHold)
		if errors.Is(err, jobs.ErrNotOwn) {
			stays = append(stays, err.Error())
			continue
		}
		if err != nil {
			step.Errors, failed = append(step.Errors, err.Error()), true
			continue
		}
		res := il.Gate.Do(ctx, a)
		switch judge(res.Err) {
		case refusedReadOnly:
			readOnly = true
			resumed = append(resumed, name)
		case notOwn:
			// Taken over under the lock, between the check and the edit.
			stays = append(stays, res.Err.Error())
		case done:
			resumed = append(resumed, name)
			step.Did = append(step.Did, "jobs.resume "+name)
		default:
			step.Errors, failed = append(step.Errors, name+": "+res.Err.Error()), true
		}
	}
	list := strings.Join(resumed, ", ")
	if list == "" {
		list = t("nothing to resume", "再開するものなし")
	}
	if readOnly {
		il.tell(ctx, store, "end "+st.Since.String(), fmt.Sprintf(t("read-only: would end the Amazon hold and resume %s", "読み取り専用: Amazon の保留を終えて %s を再開するところでした"), list))
		return
	}
	if failed {
		return // still held: the next pass tries again
	}
	text := fmt.Sprintf(t("Amazon block quiet: resumed %s after %s", "Amazon ブロックが収まりました: %[1]s を再開（%[2]s 後）"), list, human.DurationT(t, st.Now.Sub(st.Since)))
	if len(stays) > 0 {
		text += t("; stays paused: ", "。停止のまま: ") + strings.Join(stays, "; ")
	}
	il.record(ctx, store, history.Event{Time: st.Now, Level: "ok", Detail: text})
	il.Sink.Notify(notify.Message{Time: st.Now, Level: notify.LevelOK, Kind: notify.KindHold, Subject: Subject, Host: il.Host.Name(), Text: sanitize.String(text)})
}

// tell records and notifies, once per key, what the hold would have done
// in read-only mode (the gate refused and audited each action).
func (il *Interlock) tell(ctx context.Context, store *history.Store, key, text string) {
	if il.told == key {
		return
	}
	il.told = key
	now := il.Now()
	il.record(ctx, store, history.Event{Time: now, Level: "warn", Detail: text})
	il.Sink.Notify(notify.Message{Time: now, Level: notify.LevelWarn, Kind: notify.KindHold, Subject: Subject, Host: il.Host.Name(), Text: sanitize.String(text)})
}

func (il *Interlock) record(ctx context.Context, store *history.Store, e history.Event) {
	if store == nil {
		return
	}
	e.Kind, e.Source, e.Subject = history.EventHold, Source, Subject
	_ = store.AddEvent(ctx, e) // history never holds up an interlock
}

// How a gate result counts for the hold.
type result int

const (
	done result = iota
	refusedReadOnly
	notOwn
	failed
)

// judge is how an action's error counts: a crontab written though a
// later step failed (the reload) is done, the change stands.
func judge(err error) result {
	var w *jobs.WrittenError
	switch {
	case err == nil || errors.As(err, &w):
		return done
	case errors.Is(err, gate.ErrReadOnly):
		return refusedReadOnly
	case errors.Is(err, jobs.ErrNotOwn):
		return notOwn
	}
	return failed
}
