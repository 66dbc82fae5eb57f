package sanitize

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// Writer passes text to a terminal with the policy of Line, so that no
// byte a listing forgot to sanitize reaches it raw: the CLI writes all it
// prints through one. Newlines and tabs pass (a tab only moves the cursor,
// and tabwriter columns stay as they were). Text already clean, which is
// all of it once the callers sanitize, is written as it is.
type Writer struct {
	w    io.Writer
	tail []byte // the start of a UTF-8 sequence the next Write completes
}

// NewWriter returns a Writer to w. Flush writes what it holds back.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Unwrap is the writer under w when w is a Writer, else w: for the one
// who writes its own text with a control byte on purpose (a progress line
// redrawn with \r) straight to the terminal.
func Unwrap(w io.Writer) io.Writer {
	if s, ok := w.(*Writer); ok {
		return s.w
	}
	return w
}

// Write writes p, its unsafe bytes made visible. An incomplete UTF-8
// sequence at its end waits for the next Write (bufio and tabwriter cut
// anywhere), so that a split Japanese character is not escaped as invalid.
func (s *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.tail) > 0 {
		p = append(s.tail, p...)
		s.tail = nil
	}
	if k := incompleteTail(p); k > 0 {
		s.tail = append([]byte(nil), p[len(p)-k:]...)
		p = p[:len(p)-k]
	}
	if CleanLinesBytes(p) {
		_, err := s.w.Write(p)
		return n, err
	}
	var sb strings.Builder
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\n\t")
		if i < 0 {
			sb.WriteString(Line(p))
			break
		}
		sb.WriteString(Line(p[:i]))
		sb.WriteByte(p[i])
		p = p[i+1:]
	}
	_, err := io.WriteString(s.w, sb.String())
	return n, err
}

// Flush writes a held-back incomplete sequence, escaped: nothing completes it.
func (s *Writer) Flush() error {
	if len(s.tail) == 0 {
		return nil
	}
	t := s.tail
	s.tail = nil
	_, err := io.WriteString(s.w, Line(t))
	return err
}

// incompleteTail is the length of a UTF-8 sequence begun but not finished
// at the end of p (0 when p ends on a whole character or an invalid byte).
func incompleteTail(p []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

// JSON makes encoding/json output safe on a terminal and still the same
// JSON: the encoder escapes C0 controls and replaces invalid UTF-8, but
// leaves DEL, C1 controls and bidi overrides raw; they become \u escapes,
// which JSON strings (the only place such bytes occur) read back as the
// same characters.
func JSON(b []byte) []byte {
	if CleanLinesBytes(b) {
		return b
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || UnsafeRune(r) {
			writeRuneEscape(&sb, r)
		} else {
			sb.Write(b[i : i+size])
		}
		i += size
	}
	return []byte(sb.String())
}

// Styled is String for a screen that lipgloss has styled: the SGR
// sequences it writes (ESC [ digits m) and newlines pass, and everything
// else a terminal would act on is made visible. The console passes every
// frame through it, so that a string a tab drew without sanitizing can
// retitle nothing and reach no clipboard.
func Styled(s string) string {
	if styledClean(s) {
		return s // every frame but a hostile one: no copy
	}
	var sb strings.Builder
	sb.Grow(len(s) + 16)
	done := 0 // s[:done] is written
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "\n\x1b")
		if j < 0 {
			break
		}
		i += j
		n := 1
		if s[i] == 0x1b {
			if n = sgrLen(s[i:]); n == 0 {
				i++ // not styling: String escapes it with the text around it
				continue
			}
		}
		sb.WriteString(String(s[done:i]))
		sb.WriteString(s[i : i+n])
		i += n
		done = i
	}
	sb.WriteString(String(s[done:]))
	return sb.String()
}

// styledClean reports whether Styled would return s unchanged: clean text
// and SGR sequences only.
func styledClean(s string) bool {
	for {
		i := strings.IndexByte(s, 0x1b)
		if i < 0 {
			return CleanLines(s)
		}
		n := sgrLen(s[i:])
		if n == 0 || !CleanLines(s[:i]) {
			return false
		}
		s = s[i+n:]
	}
}

// sgrLen is the length of the SGR sequence s starts with, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c >= '0' && c <= '9', c == ';', c == ':':
		default:
			return 0
		}
	}
	return 0
}
