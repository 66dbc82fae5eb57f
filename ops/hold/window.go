// Package hold is the Amazon hold: while Amazon blocks the box (ops/amazon
// finds its 503s in the logs), the jobs marked amazon = true are held:
// run now refuses them without OVERRIDE, and the watch service pauses
// their cron lines as its own (gate.ActorHold). It resumes only the lines
// it paused, once the clearing window learned from past blocks has passed
// and a quiet check finds no blocked answer for amazon.quiet_after.
package hold

import (
	"slices"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// The hold's events (history.EventHold): a start at Crit, its end at OK;
// what it would have done in read-only mode, or could not do, at Warn.
const (
	Source  = "amazon-hold"
	Subject = "amazon"
)

// learnFrom is how many past blocks make the median trusted on its own.
const learnFrom = 5

// Durations are the lengths of the past holds, oldest first: each start
// event paired with the end that follows it. A hold that starts again
// within gap of the previous end is the same block coming back (it was
// resumed too early), so the two count as one, from the first start to
// the last end.
func Durations(events []history.Event, gap time.Duration) []time.Duration {
	var out []time.Duration
	var start, lastStart, lastEnd time.Time
	for _, e := range events {
		if e.Kind != history.EventHold || e.Source != Source {
			continue
		}
		switch e.Level {
		case "crit":
			if !start.IsZero() {
				continue // already open
			}
			start = e.Time
			if !lastEnd.IsZero() && e.Time.Sub(lastEnd) <= gap && len(out) > 0 {
				out, start = out[:len(out)-1], lastStart
			}
		case "ok":
			if start.IsZero() {
				continue
			}
			out = append(out, e.Time.Sub(start))
			lastStart, lastEnd, start = start, e.Time, time.Time{}
		}
	}
	return out
}

// Window is the clearing window: the median of the past holds, bounded by
// amazon.clear_after .. clear_max until there are five of them; then the
// median itself, between quiet_after and twice clear_max (one odd record
// must not hold the jobs for days). With no past hold it is clear_after:
// the quiet check after it still keeps the jobs held while blocked
// answers come.
func Window(c config.Amazon, past []time.Duration) time.Duration {
	if len(past) == 0 {
		return c.ClearAfter.Duration
	}
	m := median(past)
	if len(past) < learnFrom {
		return min(max(m, c.ClearAfter.Duration), max(c.ClearMax.Duration, c.ClearAfter.Duration))
	}
	return min(max(m, c.QuietAfter.Duration), 2*c.ClearMax.Duration)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
