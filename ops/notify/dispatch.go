package notify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

// Options are what a Dispatcher needs beside its targets.
type Options struct {
	Cfg *config.Config
	// Host runs the command targets (the machine the watch service runs on).
	Host host.Host
	// Record stores an event (history.EventNotify); nil = none. It is
	// called from the dispatcher's own goroutine, never from Notify.
	Record func(history.Event)
	// Now is the clock (nil = time.Now): tests move it to see repeats.
	Now func() time.Time
	// Queue bounds each target's queue (0 = 100): when full, the oldest
	// message is dropped and an event says so.
	Queue int
	// Backoff is the first wait before a retry, doubled each time up to
	// a minute (0 = 1s).
	Backoff time.Duration
	// RepeatEvery is how often still-open CRITs are looked at for their
	// repeat (0 = 1 min; <0 = never by itself, RepeatDue only).
	RepeatEvery time.Duration
}

// Dispatcher is the Sink of the [[notify]] targets: it decides per target
// which messages are transitions to send and hands them to that target's
// own queue and goroutine, so Notify never blocks and a hanging target
// delays no other.
type Dispatcher struct {
	o       Options
	targets []*target
	rec     *queue[history.Event]
	ctx     context.Context // the deliveries'; cancelled when Close gives up
	cancel  context.CancelFunc
	stop    chan struct{}  // closed by Close: no more messages
	recStop chan struct{}  // closed once the targets are done: the recorder drains and ends
	wg      sync.WaitGroup // the targets' goroutines
	mu      sync.Mutex
	open    map[string]string // the level of each open problem, by key
	recDone chan struct{}
	closing sync.Once
}

// New starts a Dispatcher over cfg.Notify.
func New(o Options) *Dispatcher {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Queue <= 0 {
		o.Queue = 100
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Host == nil {
		o.Host = host.NewLocal()
	}
	d := &Dispatcher{o: o, stop: make(chan struct{}), recStop: make(chan struct{}), recDone: make(chan struct{}), open: map[string]string{}}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.rec = newQueue[history.Event](4 * o.Queue)
	for _, n := range o.Cfg.Notify {
		t := &target{cfg: n, send: senderFor(n, o), state: map[string]*sent{}, q: newQueue[job](o.Queue)}
		d.targets = append(d.targets, t)
		d.wg.Add(1)
		go d.deliver(t)
	}
	go d.record()
	if o.RepeatEvery >= 0 {
		every := o.RepeatEvery
		if every == 0 {
			every = time.Minute
		}
		go d.repeatLoop(every)
	}
	return d
}

// A job is one message to deliver to one target.
type job struct {
	m      Message
	repeat bool      // a still-open CRIT sent again
	since  time.Time // when it was first sent (for a repeat's text)
}

// sent is a target's knowledge of one problem (Kind, Subject).
type sent struct {
	level string
	open  bool
	sent  bool      // the target was told (so its recovery is sent too)
	first time.Time // when it was first sent
	last  time.Time // when it was last sent (the repeat counts from here)
	m     Message
}

type target struct {
	cfg   config.Notify
	send  func(ctx context.Context, m Message, repeat bool, since time.Time) error
	mu    sync.Mutex
	state map[string]*sent
	q     *queue[job]
}

// The Source of a message's own event (a delivery's is the target's
// name); its Subject is EventSubject. A problem is open while its newest
// SourceMessage event is not at LevelOK: Resume starts from there.
const (
	SourceMessage = "message" // a problem opened, changed level or recovered (at ok)
	SourceOneOff  = "one-off" // a message that leaves nothing open at warn or crit (a braked run)
)

// EventSubject is the Subject of the events about a problem: "kind: subject".
func EventSubject(kind, subject string) string { return kind + ": " + subject }

func key(m Message) string { return m.Kind + "\x00" + m.Subject }

// Rank orders levels (ok 0, warn 1, crit 2); an unknown one counts as warn.
func Rank(level string) int {
	switch level {
	case LevelOK:
		return 0
	case LevelCrit:
		return 2
	}
	return 1
}

// Notify takes one transition: it is recorded, and each target that should
// hear of it gets it in its queue. It never blocks.
func (d *Dispatcher) Notify(m Message) {
	if m.Time.IsZero() {
		m.Time = d.o.Now()
	}
	m.Subject, m.Host, m.Text = sanitize.String(m.Subject), sanitize.String(m.Host), sanitize.String(m.Text)
	select {
	case <-d.stop:
		return
	default:
	}
	source, ok := d.transition(m)
	if !ok {
		return // an interlock saying again what stands: neither sent nor recorded
	}
	d.event(history.Event{Time: m.Time, Source: source, Subject: EventSubject(m.Kind, m.Subject), Level: m.Level, Detail: m.Text})
	for _, t := range d.targets {
		t.mu.Lock()
		j, ok := t.decide(m, d.o.Now())
		t.mu.Unlock()
		if ok {
			d.enqueue(t, j)
		}
	}
}

// transition is false for a problem already open at m's level; else it
// says what m's event is.
func (d *Dispatcher) transition(m Message) (string, bool) {
	k := key(m)
	d.mu.Lock()
	defer d.mu.Unlock()
	if !m.Open || m.Level == LevelOK {
		delete(d.open, k)
		if m.Level != LevelOK {
			return SourceOneOff, true
		}
		return SourceMessage, true
	}
	if d.open[k] == m.Level {
		return "", false
	}
	d.open[k] = m.Level
	return SourceMessage, true
}

// decide applies the transition rules for one target: a new problem at or
// above min_level, a level change and the recovery of what was sent go
// out once; a one-off (not open, warn or crit) goes out once.
func (t *target) decide(m Message, now time.Time) (job, bool) {
	k := key(m)
	prev := t.state[k]
	min := Rank(t.cfg.MinLevel)
	switch {
	case m.Open && m.Level != LevelOK:
		if prev != nil && prev.open && prev.level == m.Level {
			return job{}, false // no transition: the repeat is RepeatDue's
		}
		s := &sent{level: m.Level, open: true, m: m}
		if prev != nil && prev.open {
			s.sent, s.first, s.last = prev.sent, prev.first, prev.last
		}
		t.state[k] = s
		// A level change of what was sent is news even below min_level
		// (crit back to warn); else only what reaches min_level.
		if Rank(m.Level) >= min || s.sent {
			if !s.sent {
				s.first = now
			}
			s.sent, s.last = true, now
			return job{m: m}, true
		}
		return job{}, false
	case prev != nil && prev.open:
		// Its recovery: only for those who were told.
		delete(t.state, k)
		return job{m: m, since: prev.first}, prev.sent
	default:
		// A one-off; an OK for nothing open is nothing.
		return job{m: m}, m.Level != LevelOK && Rank(m.Level) >= min
	}
}

// Seed tells every target that m, open since m.Time, was last sent at
// last (the watch service restarted, or this is the next watch --once):
// it is not sent again, but its repeat and its recovery are.
func (d *Dispatcher) Seed(m Message, last time.Time) {
	if !m.Open || m.Level == LevelOK {
		return
	}
	d.mu.Lock()
	d.open[key(m)] = m.Level
	d.mu.Unlock()
	for _, t := range d.targets {
		t.mu.Lock()
		sentTo := Rank(m.Level) >= Rank(t.cfg.MinLevel)
		t.state[key(m)] = &sent{level: m.Level, open: true, sent: sentTo, first: m.Time, last: last, m: m}
		t.mu.Unlock()
	}
}

// Resume starts from the recorded notify events (oldest first): each
// problem still open is known to every target as sent, when its newest
// event about it was recorded, so a restarted watch service (or the next
// watch --once) sends it neither again nor before its repeat, and does
// send its recovery. host names the box in its repeats.
func (d *Dispatcher) Resume(evs []history.Event, host string) {
	open := map[string]history.Event{}
	last := map[string]time.Time{}
	for _, e := range evs {
		if e.Kind != history.EventNotify {
			continue
		}
		if e.Time.After(last[e.Subject]) {
			last[e.Subject] = e.Time
		}
		switch {
		case e.Source == SourceMessage && e.Level != LevelOK:
			open[e.Subject] = e
		case e.Source == SourceMessage, e.Source == SourceOneOff:
			delete(open, e.Subject)
		}
	}
	for subject, e := range open {
		kind, sub, ok := strings.Cut(subject, ": ")
		if !ok {
			continue
		}
		d.Seed(Message{Time: e.Time, Level: e.Level, Kind: kind, Subject: sub, Host: host, Text: e.Detail, Open: true}, last[subject])
	}
}

// RepeatDue sends again each still-open CRIT whose target last sent it at
// least its repeat ago.
func (d *Dispatcher) RepeatDue() {
	now := d.o.Now()
	for _, t := range d.targets {
		var due []job
		t.mu.Lock()
		for _, s := range t.state {
			if s.open && s.sent && s.level == LevelCrit && now.Sub(s.last) >= t.cfg.Repeat.Duration {
				s.last = now
				due = append(due, job{m: s.m, repeat: true, since: s.first})
			}
		}
		t.mu.Unlock()
		for _, j := range due {
			d.enqueue(t, j)
		}
	}
}

func (d *Dispatcher) repeatLoop(every time.Duration) {
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-tk.C:
			d.RepeatDue()
		}
	}
}

func (d *Dispatcher) enqueue(t *target, j job) {
	if dropped, ok := t.q.push(j); ok {
		d.event(history.Event{Time: d.o.Now(), Source: t.cfg.Name, Subject: EventSubject(dropped.m.Kind, dropped.m.Subject), Level: LevelWarn,
			Detail: fmt.Sprintf("dropped: queue full (%d)", d.o.Queue)})
	}
}

// event records e (kind notify) from the recorder's goroutine; a full
// recorder queue drops the oldest event rather than block.
func (d *Dispatcher) event(e history.Event) {
	if d.o.Record == nil {
		return
	}
	e.Kind = history.EventNotify
	d.rec.push(e)
}

func (d *Dispatcher) record() {
	defer close(d.recDone)
	for {
		e, ok := d.rec.pop(d.recStop)
		if !ok || d.ctx.Err() != nil {
			return
		}
		d.o.Record(e)
	}
}

// deliver is a target's goroutine: each message in turn, retried with
// backoff up to retries, each attempt bounded by timeout.
func (d *Dispatcher) deliver(t *target) {
	defer d.wg.Done()
	for {
		j, ok := t.q.pop(d.stop)
		if !ok {
			return
		}
		attempts, err := d.attempt(t, j)
		ev := history.Event{Time: d.o.Now(), Source: t.cfg.Name, Subject: EventSubject(j.m.Kind, j.m.Subject), Level: LevelOK,
			Detail: fmt.Sprintf("ok, %d attempt(s)", attempts)}
		if j.repeat {
			ev.Detail += ", repeat"
		}
		if err != nil {
			ev.Level, ev.Detail = LevelWarn, fmt.Sprintf("failed after %d attempt(s): %s", attempts, sanitize.String(err.Error()))
		}
		d.event(ev)
	}
}

func (d *Dispatcher) attempt(t *target, j job) (int, error) {
	wait := d.o.Backoff
	var err error
	for n := 1; ; n++ {
		ctx, cancel := context.WithTimeout(d.ctx, t.cfg.Timeout.Duration)
		err = t.send(ctx, j.m, j.repeat, j.since)
		cancel()
		if err == nil || n > t.cfg.Retries || d.ctx.Err() != nil {
			return n, err
		}
		select {
		case <-d.ctx.Done():
			return n, err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// Close stops taking messages and waits, until ctx ends, for the queued
// ones to be delivered (retries included) and recorded; then gives up on
// the rest.
func (d *Dispatcher) Close(ctx context.Context) {
	d.closing.Do(func() {
		close(d.stop)
		done := make(chan struct{})
		go func() {
			d.wg.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			d.cancel()
			<-done
		}
		close(d.recStop)
		select {
		case <-d.recDone:
		case <-ctx.Done():
		}
		d.cancel()
	})
}

// Pending is how many messages wait in the targets' queues (for tests and
// the shutdown message).
func (d *Dispatcher) Pending() int {
	n := 0
	for _, t := range d.targets {
		n += t.q.len()
	}
	return n
}

// Names lists the targets, for the watch service's start line.
func (d *Dispatcher) Names() string {
	names := make([]string, len(d.targets))
	for i, t := range d.targets {
		names[i] = t.cfg.Name + " (" + t.cfg.Kind + ")"
	}
	return strings.Join(names, ", ")
}
