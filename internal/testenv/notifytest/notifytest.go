// Package notifytest is a notify.Sink for tests that keeps every message
// it is given, safe for the interlocks' goroutines.
package notifytest

import (
	"sync"

	"github.com/richs/richsops/ops/notify"
)

// Sink keeps messages.
type Sink struct {
	mu   sync.Mutex
	msgs []notify.Message
}

// Notify keeps m.
func (s *Sink) Notify(m notify.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
}

// All is every message kept so far.
func (s *Sink) All() []notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.Message(nil), s.msgs...)
}

// Texts is the text of every message kept so far.
func (s *Sink) Texts() []string {
	var out []string
	for _, m := range s.All() {
		out = append(out, m.Text)
	}
	return out
}

// Take is the messages kept since the last Take, and forgets them.
func (s *Sink) Take() []notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.msgs
	s.msgs = nil
	return out
}
