package notify

import "sync"

// queue is a bounded FIFO that never blocks its writer: when full, the
// oldest item makes room.
type queue[T any] struct {
	mu    sync.Mutex
	items []T
	max   int
	ready chan struct{} // has a token while items is not empty
}

func newQueue[T any](max int) *queue[T] {
	return &queue[T]{max: max, ready: make(chan struct{}, 1)}
}

// push appends v; when the queue was full it returns the dropped oldest.
func (q *queue[T]) push(v T) (dropped T, full bool) {
	q.mu.Lock()
	if len(q.items) >= q.max {
		dropped, full = q.items[0], true
		q.items = q.items[1:]
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return dropped, full
}

// pop waits for the next item; once stop is closed it still returns what
// is left, and false when nothing is.
func (q *queue[T]) pop(stop <-chan struct{}) (T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v := q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			q.mu.Unlock()
			return v, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-stop:
			q.mu.Lock()
			empty := len(q.items) == 0
			q.mu.Unlock()
			if empty {
				var zero T
				return zero, false
			}
		}
	}
}

func (q *queue[T]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
