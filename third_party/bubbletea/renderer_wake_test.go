package tea

// Tests of the richsops patch (PATCHED.md): the renderer draws on a write or
// a repaint, at the next frame, and is not woken while nothing changes.

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds; the renderer draws within a frame, and
// the generous deadline only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestRendererDrawsOnWriteAndRepaintOnly(t *testing.T) {
	var out syncBuffer
	r := newRenderer(&out, false, 120).(*standardRenderer)
	r.start()
	defer r.kill()

	r.write("first frame")
	waitFor(t, "the first frame", func() bool { return strings.Contains(out.String(), "first frame") })

	// The same view again: nothing to draw, and nothing is written.
	n := len(out.String())
	r.write("first frame")
	time.Sleep(5 * r.framerate)
	if got := out.String()[n:]; got != "" {
		t.Errorf("an unchanged view was drawn again: %q", got)
	}

	// A repaint draws the held view again without a new write (upstream's
	// ticker did this; here repaint wakes the renderer itself).
	r.mtx.Lock()
	r.repaint()
	r.mtx.Unlock()
	waitFor(t, "the repaint", func() bool { return strings.Count(out.String(), "first frame") == 2 })

	r.write("second frame")
	waitFor(t, "the second frame", func() bool { return strings.Contains(out.String(), "second frame") })
}

// Many writes within one frame make one draw of the last of them.
func TestRendererCoalescesWritesPerFrame(t *testing.T) {
	var out syncBuffer
	r := newRenderer(&out, false, 1).(*standardRenderer) // one frame a second
	r.start()
	defer r.kill()
	for i := 0; i < 50; i++ {
		r.write(strings.Repeat("x", i+1))
	}
	waitFor(t, "a frame", func() bool { return strings.Contains(out.String(), "x") })
	if got := strings.Count(out.String(), "x"); got != 50 {
		t.Errorf("drew %d x's, want only the last view's 50", got)
	}
}

// Stop draws the final frame at once and ends the renderer's goroutine.
func TestRendererStopDrawsTheLastFrame(t *testing.T) {
	var out syncBuffer
	r := newRenderer(&out, false, 1).(*standardRenderer)
	r.start()
	r.write("last words")
	r.stop()
	if !strings.Contains(out.String(), "last words") {
		t.Errorf("stop did not draw the pending frame: %q", out.String())
	}
}
