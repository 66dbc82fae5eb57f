package logtail

// Ring holds the newest lines of a pane within a fixed capacity. Each line
// has a sequence number that stays the same while it is held, so a view can
// point at a line while older ones fall out.
type Ring struct {
	buf   []Line
	start int   // index in buf of the oldest line
	n     int   // lines held
	first int64 // sequence number of the oldest line
}

// NewRing makes a ring for capacity lines (at least 1).
func NewRing(capacity int) *Ring {
	if capacity < 1 {
		capacity = 1
	}
	return &Ring{buf: make([]Line, capacity)}
}

// Len is the number of lines held; Cap the most it holds.
func (r *Ring) Len() int { return r.n }
func (r *Ring) Cap() int { return len(r.buf) }

// First is the sequence number of the oldest line held; End is one past
// the newest (First == End when empty).
func (r *Ring) First() int64 { return r.first }
func (r *Ring) End() int64   { return r.first + int64(r.n) }

// At returns the line with sequence number seq (First <= seq < End).
func (r *Ring) At(seq int64) Line {
	return r.buf[(r.start+int(seq-r.first))%len(r.buf)]
}

// Push appends lines, dropping the oldest when full.
func (r *Ring) Push(lines []Line) {
	c := len(r.buf)
	if len(lines) >= c { // only the newest c survive
		r.first += int64(r.n + len(lines) - c)
		copy(r.buf, lines[len(lines)-c:])
		r.start, r.n = 0, c
		return
	}
	for _, l := range lines {
		if r.n < c {
			r.buf[(r.start+r.n)%c] = l
			r.n++
			continue
		}
		r.buf[r.start] = l
		r.start = (r.start + 1) % c
		r.first++
	}
}

// PushFront puts earlier lines before the oldest one, as many as fit
// without dropping any newer line (the last ones of lines first). It returns
// how many it took.
func (r *Ring) PushFront(lines []Line) int {
	c := len(r.buf)
	room := c - r.n
	if room > len(lines) {
		room = len(lines)
	}
	for i := len(lines) - 1; i >= len(lines)-room; i-- {
		r.start = (r.start - 1 + c) % c
		r.buf[r.start] = lines[i]
		r.n++
		r.first--
	}
	return room
}
