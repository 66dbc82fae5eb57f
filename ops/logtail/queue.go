package logtail

import "sync"

// Queue is a Sink for the UI: it gathers batches until the UI takes them
// all at once, and holds at most max lines (older ones are counted in
// Dropped: a pane's ring would drop them anyway). Several queues may share
// one notify channel, so one waiting tea.Cmd serves every pane.
type Queue struct {
	mu      sync.Mutex
	max     int
	lines   []Line
	dropped int
	status  *Status
	origin  *Origin
	short   *Short
	notify  chan struct{}
}

// NewQueue makes a queue holding at most max lines that signals notify
// (buffered, capacity 1) when something arrives.
func NewQueue(max int, notify chan struct{}) *Queue {
	return &Queue{max: max, notify: notify}
}

// Emit implements Sink.
func (q *Queue) Emit(b Batch) error {
	q.mu.Lock()
	q.lines = append(q.lines, b.Lines...)
	if len(q.lines) > 2*q.max { // trim rarely, so ingest stays O(1) per line
		cut := len(q.lines) - q.max
		q.dropped += cut
		q.lines = append(q.lines[:0:0], q.lines[cut:]...)
	}
	q.dropped += b.Dropped
	if b.Status != nil {
		q.status = b.Status
	}
	if b.Origin != nil {
		q.origin = b.Origin
	}
	if b.Short != nil {
		q.short = b.Short
	}
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	return nil
}

// Take returns everything gathered since the last Take (ok false when
// nothing).
func (q *Queue) Take() (Batch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	b := Batch{Lines: q.lines, Status: q.status, Origin: q.origin, Short: q.short, Dropped: q.dropped}
	if len(b.Lines) > q.max {
		b.Dropped += len(b.Lines) - q.max
		b.Lines = b.Lines[len(b.Lines)-q.max:]
	}
	q.lines, q.status, q.origin, q.short, q.dropped = nil, nil, nil, nil, 0
	return b, b.Lines != nil || b.Status != nil || b.Origin != nil || b.Short != nil || b.Dropped > 0
}
