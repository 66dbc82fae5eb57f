// Package notify sends the watch service's messages to the [[notify]]
// targets (webhook, mail, command): on transitions only, a still-open
// CRIT again every repeat, a failing target retried with backoff, never
// delaying the interlock that sent it. Every message and its delivery
// result are events in the history.
package notify

import "time"

// Message levels: a problem at Warn or Crit, or OK for its recovery.
const (
	LevelOK   = "ok"
	LevelWarn = "warn"
	LevelCrit = "crit"
)

// Message kinds: what the transition is about.
const (
	KindAttention = "attention" // a check's item appeared, changed level or cleared
	KindGuard     = "guard"     // the guard paused or resumed
	KindBrake     = "brake"     // a run braked for mass withdrawal
	KindHold      = "hold"      // an Amazon hold started or ended
	KindRun       = "run"       // a run failed, was killed, too long, too short or missed
	KindCatchUp   = "catch-up"  // a missed run started by the watch service
	KindForecast  = "forecast"  // disk full in N hours
)

// Message is one transition. Kind and Subject name the problem: a message
// with the same pair and Open false is its recovery, and ends the repeats.
type Message struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"` // the job, the disk, the check item
	Host    string    `json:"host"`
	// Text is one line in the configured language, already sanitized.
	Text string `json:"text"`
	// Open is true while the problem stands (repeated every repeat at
	// Crit); false for a one-off (a braked run) or a recovery.
	Open bool `json:"open"`
}

// Sink takes messages; Notify never blocks the caller (an interlock).
type Sink interface {
	Notify(Message)
}

// Discard is the Sink of a watch service without [[notify]] targets.
type Discard struct{}

// Notify drops m.
func (Discard) Notify(Message) {}
