package jobs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/tailbytes"
)

// Status is one job's row: schedule, state, processes, last run, missed.
type Status struct {
	Name     string         `json:"name"`
	Args     []string       `json:"args"`
	Log      string         `json:"log"`
	Guard    string         `json:"guard,omitempty"`
	State    crontab.State  `json:"state"`
	Lines    []crontab.Line `json:"-"`
	Schedule []string       `json:"schedule"` // of the active (or paused) lines
	Next     time.Time      `json:"next,omitzero"`
	Procs    []Proc         `json:"processes,null"` // null: unknown (see Unknown)
	LastRun  time.Time      `json:"last_run,omitzero"`
	LastFrom string         `json:"last_run_from,omitempty"` // "log" (newest timestamp) | "mtime"; LastFromJa in Japanese
	Missed   *Missed        `json:"missed,omitempty"`
	Paused   *Pause         `json:"paused,omitempty"` // set when some of its lines are paused
	// GuardOK is its guard now (nil = not guarded, not asked, or no check
	// wired), filled in by GuardNow; GuardReason says what is wrong.
	GuardOK     *bool    `json:"guard_healthy,omitempty"`
	GuardReason string   `json:"guard_reason,omitempty"`
	Errors      []string `json:"errors,omitempty"`
	// Unknown names the parts that could not be read (PartProcesses,
	// PartCrontab, PartLog, PartBoot): their fields say nothing, never "none".
	Unknown []string `json:"unknown,omitempty"`
}

// LastFromJa names, in Japanese, where the last run time came from: the
// log's newest timestamp or the log file's mtime.
var LastFromJa = map[string]string{"log": "ログ", "mtime": "更新時刻"}

// The parts of a Status read from the host.
const (
	PartProcesses = "processes"
	PartCrontab   = "crontab"
	PartLog       = "log"
	// PartBoot is the host's boot time: without it a run missed while the
	// machine was down cannot be told from one cron skipped.
	PartBoot = "boot time"
)

// Known says whether part was read.
func (s Status) Known(part string) bool { return !slices.Contains(s.Unknown, part) }

// Missed is a scheduled time that passed with no sign of a run.
type Missed struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Snapshot is every configured job's status on h.
func Snapshot(ctx context.Context, h host.Host, cfg *config.Config, now time.Time) ([]Status, error) {
	names := make([]string, len(cfg.Jobs))
	for i, j := range cfg.Jobs {
		names[i] = j.Name
	}
	procs, procErr := List(ctx, h, cfg, names)
	tab, tabErr := crontab.Load(ctx, h, cfg.Crontab.Path)
	boot, bootErr := host.BootTime(ctx, h)
	var tabTime time.Time // the crontab's mtime, read when a job is paused
	guard := guardOnce(ctx)
	out := make([]Status, len(cfg.Jobs))
	for i, j := range cfg.Jobs {
		s := Status{Name: j.Name, Args: j.Args, Log: cfg.JobLogPath(j), Guard: j.Guard, State: crontab.StateUnknown}
		if procErr != nil {
			s.Errors = append(s.Errors, "processes: "+procErr.Error())
			s.Unknown = append(s.Unknown, PartProcesses) // Procs stays null, not []
		} else {
			s.Procs = []Proc{}
		}
		for _, p := range procs {
			if p.Job == j.Name {
				s.Procs = append(s.Procs, p)
			}
		}
		var active []crontab.Schedule
		if tabErr != nil {
			s.Errors = append(s.Errors, "crontab: "+tabErr.Error())
			s.Unknown = append(s.Unknown, PartCrontab)
		} else {
			s.State = tab.JobState(j.Name)
			s.Lines = tab.JobLines(j.Name)
			for _, l := range s.Lines {
				if l.Kind == crontab.Commented {
					continue
				}
				s.Schedule = append(s.Schedule, l.Schedule.Spec)
				if l.Kind != crontab.Entry {
					continue
				}
				active = append(active, l.Schedule)
				if n, ok := l.Schedule.Next(now); ok && (s.Next.IsZero() || n.Before(s.Next)) {
					s.Next = n
				}
			}
		}
		last, from, err := LastRun(ctx, h, s.Log)
		if err != nil && !os.IsNotExist(err) {
			s.Errors = append(s.Errors, "log: "+err.Error())
			s.Unknown = append(s.Unknown, PartLog)
		}
		s.LastRun, s.LastFrom = last, from
		if bootErr != nil && len(active) > 0 {
			s.Errors = append(s.Errors, "boot time: "+bootErr.Error())
			s.Unknown = append(s.Unknown, PartBoot)
		}
		if s.Known(PartProcesses) && s.Known(PartLog) { // else a run may have left no trace we could read
			if s.Missed = FindMissed(active, now, boot, last, s.Procs); s.Missed != nil {
				s.Missed.Reason = missedReason(cfg.T, s.Missed, boot)
			}
		}
		if hasPaused(s.Lines) {
			if tabTime.IsZero() {
				if fi, err := h.Stat(ctx, cfg.Crontab.Path); err == nil {
					tabTime = fi.ModTime
				}
			}
			s.Paused = pauseOf(ctx, cfg, h, s, tabTime, now, guard)
		}
		out[i] = s
	}
	return out, nil
}

// GuardNow fills in the guard reading of the guarded jobs of st, with one
// check for all (a paused job's own reading is reused). Snapshot leaves it
// out: the check and the guard loop ask for the health on their own, and a
// hung dependency would slow every snapshot by the check's timeout.
func GuardNow(ctx context.Context, st []Status) {
	if DefaultGuard == nil {
		return
	}
	guard := guardOnce(ctx)
	for i := range st {
		s := &st[i]
		switch {
		case s.Guard == "":
		case s.Paused != nil && s.Paused.GuardOK != nil:
			s.GuardOK, s.GuardReason = s.Paused.GuardOK, s.Paused.GuardReason
		default:
			ok, why := guard()
			s.GuardOK, s.GuardReason = &ok, why
		}
	}
}

func hasPaused(lines []crontab.Line) bool {
	for _, l := range lines {
		if l.Kind == crontab.Paused {
			return true
		}
	}
	return false
}

// Missed-run rules: a run counts as happened when the log was written at or
// after its time (less a minute of clock slack) or a process of the job
// started around it. Runs less than grace ago are not judged yet.
const (
	missedLookback = 24 * time.Hour
	missedGrace    = 5 * time.Minute
)

// FindMissed checks the latest scheduled time of the last day (every
// minute of it for a job that runs every minute, so the latest is found).
func FindMissed(scheds []crontab.Schedule, now, boot, lastActivity time.Time, procs []Proc) *Missed {
	var latest time.Time
	for _, s := range scheds {
		for _, t := range s.Between(now.Add(-missedLookback), now.Add(-missedGrace), 24*60+1) {
			if t.After(latest) {
				latest = t
			}
		}
	}
	if latest.IsZero() {
		return nil
	}
	if !lastActivity.IsZero() && !lastActivity.Before(latest.Add(-time.Minute)) {
		return nil
	}
	if len(procs) > 0 {
		return nil // a run is going: started then, or one from before still is
	}
	m := &Missed{At: latest}
	m.Reason = missedReason(nil, m, boot)
	return m
}

// missedReason says why m counts as missed, in t's language (nil =
// English): the machine was down then, or nothing ran.
func missedReason(t func(en, ja string) string, m *Missed, boot time.Time) string {
	if !boot.IsZero() && boot.After(m.At.Add(-time.Minute)) {
		return fmt.Sprintf(config.Tr(t, "the machine was down then (booted %s)", "その時刻はマシンが停止していました（%s に起動）"), boot.Format("01-02 15:04"))
	}
	return config.Tr(t, "no process and no log activity since then", "それ以降プロセスもログの動きもありません")
}

// tailBytes is how much of a log's end is read for its last timestamp and
// the details view.
const tailBytes = 64 * 1024

// Tail returns up to the last tailBytes of path on h, starting at a line.
func Tail(ctx context.Context, h host.Host, path string) ([]byte, error) {
	data, _, err := tailbytes.Read(ctx, h, path, tailBytes)
	return data, err
}

// logStamp matches Django's asctime ("2026-11-27 03:00:01,123") and ISO forms.
// Compiled on first use, as the other patterns: a regexp compiled at package
// init is paid by every start of every subcommand (see bench/logs.md, 9a).
var logStamp = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}`)
})

// LastRun is the newest timestamp in the log's tail, else its mtime.
func LastRun(ctx context.Context, h host.Host, path string) (time.Time, string, error) {
	fi, err := h.Stat(ctx, path)
	if err != nil {
		return time.Time{}, "", err
	}
	if data, err := Tail(ctx, h, path); err == nil {
		if t, ok := NewestStamp(data); ok {
			return t, "log", nil
		}
	}
	return fi.ModTime, "mtime", nil
}

// LineStamp is the timestamp a log line carries, if any.
func LineStamp(line []byte) (time.Time, bool) {
	m := logStamp().Find(line)
	if m == nil {
		return time.Time{}, false
	}
	s := string(m)
	s = s[:10] + " " + s[11:]
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.Local)
	return t, err == nil
}

// NewestStamp finds the last line with a timestamp (logs are in time order).
func NewestStamp(data []byte) (time.Time, bool) {
	for len(data) > 0 {
		i := bytes.LastIndexByte(bytes.TrimRight(data, "\n"), '\n')
		if t, ok := LineStamp(data[i+1:]); ok {
			return t, true
		}
		if i < 0 {
			break
		}
		data = data[:i]
	}
	return time.Time{}, false
}
