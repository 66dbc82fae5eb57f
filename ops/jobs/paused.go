package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
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
	if audit == "" {
		return "", "", "", time.Time{}
	}
	data, _, err := tailbytes.Read(ctx, host.NewLocal(), audit, auditTail)
	if err != nil {
		return "", "", "", time.Time{}
	}
	for len(data) > 0 {
		i := bytes.LastIndexByte(bytes.TrimRight(data, "\n"), '\n')
		line := data[i+1:]
		data = data[:max(i, 0)]
		var r gate.Record
		if json.Unmarshal(line, &r) != nil || r.Target != job || r.Phase != "end" || (r.Outcome != "ok" && !r.Written) || r.Host != hostName {
			continue
		}
		switch r.Action {
		case "jobs.resume":
			return "", "", "", time.Time{}
		case "jobs.pause":
			by = ByOperator
			if r.Actor != "" {
				by, why = r.Actor, r.Summary
			}
			return by, r.User, why, r.Time
		}
	}
	return "", "", "", time.Time{}
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
