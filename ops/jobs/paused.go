package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/tailbytes"
)

// Pause says who paused a job, when, and what cron skipped since: a
// paused job is a stock check nobody runs, which must not go unnoticed.
type Pause struct {
	// By is "guard", "operator", another actor of gate (brake,
	// amazon-hold), or "" when the audit log does not say (the lines were
	// paused by hand, or long ago).
	By   string `json:"by"`
	User string `json:"user,omitempty"`
	// Why is the pause's own summary when an interlock paused it (why it
	// braked, what block it holds for).
	Why string    `json:"why,omitempty"`
	At  time.Time `json:"at,omitzero"`
	// Skipped counts the scheduled runs of its paused lines since it was
	// paused (since the crontab's last change when that is unknown).
	Skipped     int       `json:"skipped"`
	FirstSkip   time.Time `json:"first_skipped,omitzero"`
	GuardOK     *bool     `json:"guard_healthy,omitempty"` // its guard now; nil = not guarded or not checked
	GuardReason string    `json:"guard_reason,omitempty"`
}

// Who paused a job, in the operator's language.
const (
	ByGuard    = "guard"
	ByOperator = "operator"
)

// guardOnce is DefaultGuard asked at most once (for the jobs of one
// snapshot), within GuardTimeout.
func guardOnce(ctx context.Context) func() (bool, string) {
	return sync.OnceValues(func() (bool, string) {
		ctx, cancel := context.WithTimeout(ctx, GuardTimeout)
		defer cancel()
		return DefaultGuard(ctx)
	})
}

// auditTail is how much of the audit log's end is searched for a pause.
const auditTail = 1 << 20

// pausedBy finds the newest successful pause or resume of job on hostName
// in the audit log: a pause says who and when; a resume (or nothing) means
// the lines now paused were not paused through richsops.
func pausedBy(ctx context.Context, audit, hostName, job string) (by, user, why string, at time.Time) {
	r, _ := newestPause(ctx, audit, hostName, job, "")
	if r == nil {
		return "", "", "", time.Time{}
	}
	by = ByOperator
	if r.Actor != "" {
		by, why = r.Actor, r.Summary
	}
	return by, r.User, why, r.Time
}

// newestPause is the newest successful jobs.pause of job on hostName in
// the audit log (nil: a resume came after it, or none), and busy when a
// pause or resume of it has started and not ended yet: its change is
// being made now (its end is written after the crontab's lock is let go).
// The start of self's own action in this process (the one asking) is not.
func newestPause(ctx context.Context, audit, hostName, job, self string) (pause *gate.Record, busy bool) {
	if audit == "" {
		return nil, false
	}
	data, _, err := tailbytes.Read(ctx, host.NewLocal(), audit, auditTail)
	if err != nil {
		return nil, false
	}
	ended := map[int]bool{} // pids whose pause or resume has ended, newer than the record read
	for len(data) > 0 {
		i := bytes.LastIndexByte(bytes.TrimRight(data, "\n"), '\n')
		line := data[i+1:]
		data = data[:max(i, 0)]
		var r gate.Record
		if json.Unmarshal(line, &r) != nil || r.Target != job || r.Host != hostName || (r.Action != "jobs.pause" && r.Action != "jobs.resume") {
			continue
		}
		switch {
		case r.Phase == "start":
			own := self != "" && r.Actor == self && r.PID == os.Getpid()
			busy = busy || !ended[r.PID] && !own && pidRuns(r.PID)
			continue
		case r.Phase != "end":
			continue
		}
		ended[r.PID] = true
		if r.Outcome != "ok" && !r.Written {
			continue
		}
		if r.Action == "jobs.pause" {
			return &r, busy
		}
		return nil, busy
	}
	return nil, busy
}

// pidRuns is true while a process of that pid runs here: a start whose
// process died (killed mid-action) is not under way any more.
func pidRuns(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ErrNotOwn refuses an interlock's resume of a pause that is no longer its
// own: an operator (or another interlock) paused or resumed it since.
var ErrNotOwn = errors.New("paused by someone else since; left as it is")

// NotOwnError is that refusal for one job.
type NotOwnError struct {
	Job  string
	Busy bool                       // a pause or resume of it is under way
	T    func(en, ja string) string `json:"-"`
}

func (e *NotOwnError) Error() string   { return e.text(e.T) }
func (e *NotOwnError) English() string { return e.text(nil) }
func (e *NotOwnError) Unwrap() error   { return ErrNotOwn }

func (e *NotOwnError) text(t func(en, ja string) string) string {
	if e.Busy {
		return e.Job + config.Tr(t, ": a pause or resume of it is under way; left as it is", ": 停止または再開の操作中です。そのままにします")
	}
	return e.Job + config.Tr(t, ": "+ErrNotOwn.Error(), ": その後ほかの人が停止・再開しました。そのままにします")
}

// ownedBy is nil when the newest pause of job on h is actor's and no
// other pause or resume of it is under way.
func ownedBy(ctx context.Context, cfg *config.Config, h host.Host, job, actor string) error {
	r, busy := newestPause(ctx, cfg.AuditLog, h.Name(), job, actor)
	if busy || r == nil || r.Actor != actor {
		return &NotOwnError{Job: job, Busy: busy, T: cfg.T}
	}
	return nil
}

// pauseOf is the Pause of a job whose lines are paused: from the audit log,
// the runs its paused lines skipped since then (or since since, the
// crontab's last change), and for a guarded job its guard now.
func pauseOf(ctx context.Context, cfg *config.Config, h host.Host, s Status, since, now time.Time, guard func() (bool, string)) *Pause {
	p := &Pause{}
	p.By, p.User, p.Why, p.At = pausedBy(ctx, cfg.AuditLog, h.Name(), s.Name)
	if !p.At.IsZero() {
		since = p.At
	}
	if !since.IsZero() {
		for _, l := range s.Lines {
			if l.Kind != crontab.Paused {
				continue
			}
			for _, t := range l.Schedule.Between(since, now, 1000) {
				p.Skipped++
				if p.FirstSkip.IsZero() || t.Before(p.FirstSkip) {
					p.FirstSkip = t
				}
			}
		}
	}
	if j, _ := cfg.Job(s.Name); j.Guard != "" && DefaultGuard != nil {
		ok, why := guard()
		p.GuardOK, p.GuardReason = &ok, why
	}
	return p
}

// Describe is the pause in one line, in t's language (nil = English): who
// and when, what cron skipped, and the guard now.
func (p *Pause) Describe(t func(en, ja string) string) string {
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	var s string
	switch p.By {
	case ByGuard:
		s = tr("paused by guard", "guard が停止")
	case ByOperator:
		s = fmt.Sprintf(tr("paused by %s", "%s が停止"), p.User)
	case gate.ActorBrake:
		s = tr("braked by richsops watch", "richsops watch がブレーキで停止")
	case gate.ActorHold:
		s = tr("held by richsops watch during an Amazon block", "Amazon ブロック中のため richsops watch が保留")
	default:
		s = tr("paused (not through richsops)", "停止中（richsops 以外で停止）")
	}
	if !p.At.IsZero() {
		s += fmt.Sprintf(tr(" at %s", "（%s）"), p.At.Local().Format("01-02 15:04"))
	}
	if p.Why != "" && p.By != ByGuard {
		s += ": " + sanitize.String(p.Why)
	}
	if p.Skipped > 0 {
		s += fmt.Sprintf(tr("; %d scheduled run(s) skipped since %s", "。予定の実行 %d 回が %s 以降スキップされました"), p.Skipped, p.FirstSkip.Local().Format("01-02 15:04"))
	}
	switch {
	case p.GuardOK == nil:
	case p.By == gate.ActorBrake && *p.GuardOK:
		// The brake trips while index-linux answers, wrongly: its health
		// says nothing of whether to resume.
	case *p.GuardOK:
		s += tr("; index-linux is healthy now: resume it", "。index-linux は現在正常: 再開してください")
	default:
		s += fmt.Sprintf(tr("; index-linux still unhealthy (%s)", "。index-linux はまだ異常（%s）"), p.GuardReason)
	}
	return s
}

// PausedBy is who paused job's lines on h through richsops (ByOperator, an
// interlock's gate.Actor*, "" = not through richsops or resumed since) and
// when, from the audit log.
func PausedBy(ctx context.Context, cfg *config.Config, h host.Host, job string) (by string, at time.Time) {
	by, _, _, at = pausedBy(ctx, cfg.AuditLog, h.Name(), job)
	return by, at
}
