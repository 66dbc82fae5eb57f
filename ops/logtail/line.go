// Package logtail reads and follows log files: the last N lines read
// backwards in blocks (so opening a 2 GiB log costs what a 1 MiB one does),
// earlier lines on demand, and a follower that survives rename rotation,
// copytruncate, delete and recreate, a missing file and permission errors.
// Every line it hands out is capped and sanitized (see ops/sanitize). Tail
// is its one entry point for a log on any host (the console's Logs tab and
// `richsops tail`).
package logtail

import (
	"strings"
	"unicode/utf8"

	"github.com/richs/richsops/ops/sanitize"
)

// DefaultMaxLine caps one line in bytes; the rest of a longer line is dropped
// and the line is marked Cut.
const DefaultMaxLine = 64 * 1024

// CutMark is appended when a cut line is printed.
const CutMark = " …[cut]"

// Line is one sanitized log line.
type Line struct {
	Text string // sanitized: safe to print, no control bytes
	Cut  bool   // the line was longer than the cap; Text holds its start
}

// String is the line as printed, with CutMark when it was cut.
func (l Line) String() string {
	if l.Cut {
		return l.Text + CutMark
	}
	return l.Text
}

// splitter turns a byte stream into capped lines. A partial last line stays
// in it until its newline arrives (or flush is called).
type splitter struct {
	max     int
	partial []byte
	cut     bool
	// shown is how many bytes at the start of the current line were handed
	// out already (see fragment), shownText the length of their sanitized
	// text: the Line that completes it holds the rest. They may have been
	// put back in front of the next read (putBackPartial).
	shown, shownText int
}

func newSplitter(max int) *splitter {
	if max <= 0 {
		max = DefaultMaxLine
	}
	return &splitter{max: max}
}

// feed splits p, appending complete lines to out. p is copied into one
// string per call; a line that needs no escaping is a substring of it, so
// the common line costs no allocation of its own.
func (s *splitter) feed(p []byte, out []Line) []Line { return s.feedString(string(p), out) }

// feedString is feed for text already in a string (lines share it).
func (s *splitter) feedString(chunk string, out []Line) []Line {
	if out == nil {
		out = make([]Line, 0, strings.Count(chunk, "\n"))
	}
	// One check for the whole read: then its lines need none (a CR is a
	// control byte, so CRLF lines take the slow path and lose the CR).
	allClean := sanitize.CleanLines(chunk)
	for len(chunk) > 0 {
		i := strings.IndexByte(chunk, '\n')
		if i < 0 {
			s.add(chunk)
			break
		}
		switch {
		case len(s.partial) == 0 && !s.cut && s.shown == 0 && i <= s.max && allClean:
			out = append(out, Line{Text: chunk[:i]}) // fast path: no copy, no check
		case len(s.partial) == 0 && !s.cut && s.shown == 0 && i <= s.max:
			out = append(out, makeLine(chunk[:i], false))
		default:
			s.add(chunk[:i])
			out = append(out, s.take())
		}
		chunk = chunk[i+1:]
	}
	return out
}

func (s *splitter) add(p string) {
	if room := s.max - len(s.partial); len(p) > room {
		p = p[:room]
		s.cut = true
	}
	s.partial = append(s.partial, p...)
}

func (s *splitter) take() Line {
	l := makeLine(string(s.partial), s.cut)
	if s.shown > 0 {
		// The sanitizer writes each byte by the column before it only, so
		// what was shown is a prefix of the whole line's text.
		l.Text = l.Text[min(s.shownText, len(l.Text)):]
	}
	s.partial, s.cut, s.shown, s.shownText = s.partial[:0], false, 0, 0
	return l
}

// fragment hands out, sanitized, the part of the held partial line not
// handed out yet, and counts it as shown (tail -F shows a line before its
// newline, as GNU tail does). Unless final, an incomplete UTF-8 sequence or
// a CR at its end waits for the next read (the rune's rest, a CRLF's LF).
// The whole start is sanitized, not the new bytes alone: a tab's width
// depends on the column it is in.
func (s *splitter) fragment(final bool) string {
	p := string(s.partial)
	if !final || s.cut {
		p = trimPartialRune(p)
	}
	if !final && !s.cut {
		p = strings.TrimSuffix(p, "\r")
	}
	if len(p) <= s.shown {
		return ""
	}
	s.shown = len(p)
	if final && !s.cut {
		p = strings.TrimSuffix(p, "\r") // as makeLine does
	}
	text := sanitize.String(p)
	out := text[min(s.shownText, len(text)):]
	s.shownText = len(text)
	return out
}

// flush emits a held partial line (the file it came from will not finish it).
func (s *splitter) flush(out []Line) []Line {
	if len(s.partial) > 0 || s.cut {
		out = append(out, s.take())
	}
	return out
}

func makeLine(b string, cut bool) Line {
	if n := len(b); n > 0 && b[n-1] == '\r' && !cut {
		b = b[:n-1] // CRLF logs
	}
	if cut {
		b = trimPartialRune(b)
	}
	return Line{Text: sanitize.String(b), Cut: cut}
}

// trimPartialRune drops an incomplete UTF-8 sequence that the cap cut in two.
func trimPartialRune(b string) string {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRuneInString(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}
