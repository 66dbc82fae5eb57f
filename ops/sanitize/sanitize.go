// Package sanitize is richsops' one display sanitizer: it makes any string
// from the box (log lines, argv, file names, unit names, server and command
// error text, config values) safe to print on a terminal, in the CLI and the
// console alike. Package cells measures and cuts the result in terminal cells.
//
// Such a string is attacker input: an escape sequence in it could recolour,
// move the cursor, retitle the window or write to the clipboard. Line turns
// every byte that a terminal would interpret into a visible escape such as
// \x1b, so the output holds no byte below 0x20, no DEL, no C1 control (raw or
// UTF-8 encoded) and is valid UTF-8.
package sanitize

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/clipperhouse/displaywidth"
)

// TabWidth is the tab stop distance used when tabs are expanded.
const TabWidth = 8

const hexDigits = "0123456789abcdef"

// Line returns b with every control byte, C1 control, bidi override and
// invalid UTF-8 byte replaced by a visible escape (\x1b, \u0085, \xff) and
// tabs expanded to spaces at TabWidth stops (counted in cells).
func Line(b []byte) string {
	if PlainASCII(b) {
		return string(b) // the common case: no copy beyond the string itself
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	col := 0 // cells written, for tab stops
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
			col++
			i++
			continue
		}
		if c == '\t' {
			n := TabWidth - col%TabWidth
			sb.WriteString("        "[:n])
			col += n
			i++
			continue
		}
		if c < 0x80 { // C0 and DEL
			writeByteEscape(&sb, c)
			col += 4
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 { // invalid UTF-8 (includes raw C1 bytes)
			writeByteEscape(&sb, c)
			col += 4
			i++
			continue
		}
		if UnsafeRune(r) {
			writeRuneEscape(&sb, r)
			col += 6
		} else {
			sb.Write(b[i : i+size])
			col += RuneWidth(r)
		}
		i += size
	}
	return sb.String()
}

// String is Line for a string. A string that needs no escaping is returned
// as is, without a copy.
func String(s string) string {
	if Clean(s) {
		return s
	}
	return Line([]byte(s))
}

// Cap is String of at most max bytes of s (0 = no cap), cut at a character
// boundary before escaping: for a long string from the box that a listing
// keeps short.
func Cap(s string, max int) string {
	if max > 0 && len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return String(s)
}

// Clean reports whether s is already safe: printable ASCII and valid UTF-8
// without unsafe runes or tabs, so that Line would return it unchanged.
func Clean(s string) bool { return clean(s, false) }

// CleanLines is Clean for text of several lines: newlines are allowed. A
// follower checks a whole read at once, then needs no check per line.
func CleanLines(s string) bool { return clean(s, true) }

// CleanLinesBytes is CleanLines for bytes (read only: no copy is made).
func CleanLinesBytes(b []byte) bool {
	return clean(unsafe.String(unsafe.SliceData(b), len(b)), true)
}

// clean is three passes that each run at memory speed on log text, ASCII
// or Japanese: no C0 control or DEL (word at a time), valid UTF-8 (the
// standard library's validator), and no unsafe rune (only where one of
// their lead bytes occurs, found with IndexByte). One pass decoding every
// rune was four times slower on Japanese lines.
func clean(s string, allowNL bool) bool {
	ctl, high := scanASCII(s, allowNL)
	return !ctl && (!high || utf8.ValidString(s) && !hasUnsafeRune(s))
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	lows  = 0x7f7f7f7f7f7f7f7f
)

// load64 reads s[i:i+8] little-endian (the shifts compile to one load).
func load64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// controlBytes has the high bit of each byte of w set where that byte is a
// C0 control (below 0x20) or DEL, newlines excepted when allowNL; the other
// bits are noise (mask with highs). Bytes of 0x80 and above are never
// flagged: UTF-8 validity covers them. Exact per byte: w&lows keeps every
// sum below 0x100, so nothing carries into the next byte.
func controlBytes(w uint64, allowNL bool) uint64 {
	t := w & lows
	atLeast20 := t + ones*0x60 // high bit set where the low 7 bits >= 0x20
	is7f := t + ones*0x01      // high bit set where the low 7 bits == 0x7f
	bad := is7f | ^atLeast20
	if allowNL {
		x := w ^ ones*'\n'
		notNL := ((x & lows) + lows) | x // high bit set where the byte is not '\n'
		bad = is7f | (notNL &^ atLeast20)
	}
	return bad &^ w
}

// scanASCII reports whether s holds a control byte, and whether it holds
// any byte of 0x80 or above (when not, s is ASCII and needs no more checks).
func scanASCII(s string, allowNL bool) (ctl, high bool) {
	var hi uint64
	i := 0
	for ; i+32 <= len(s); i += 32 {
		// four independent words, one branch
		w0, w1, w2, w3 := load64(s, i), load64(s, i+8), load64(s, i+16), load64(s, i+24)
		hi |= w0 | w1 | w2 | w3
		if (controlBytes(w0, allowNL)|controlBytes(w1, allowNL)|controlBytes(w2, allowNL)|controlBytes(w3, allowNL))&highs != 0 {
			return true, false
		}
	}
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		hi |= w
		if controlBytes(w, allowNL)&highs != 0 {
			return true, false
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		hi |= uint64(c) // its bit 7 is one of highs
		if (c < 0x20 && !(c == '\n' && allowNL)) || c == 0x7f {
			return true, false
		}
	}
	return false, hi&highs != 0
}

// unsafeLeads are the first bytes of the UTF-8 encodings of every unsafe
// rune (TestUnsafeLeadsCoverUnsafeRunes checks them against UnsafeRune).
const unsafeLeads = "\xc2\xd8\xe2\xef"

// hasUnsafeRune reports whether valid UTF-8 s holds a rune UnsafeRune
// rejects. In valid UTF-8 those lead bytes only start runes, so each hit of
// IndexByte is a rune to decode; Japanese text has few of them.
func hasUnsafeRune(s string) bool {
	for k := 0; k < len(unsafeLeads); k++ {
		for rest := s; ; {
			j := strings.IndexByte(rest, unsafeLeads[k])
			if j < 0 {
				break
			}
			r, size := utf8.DecodeRuneInString(rest[j:])
			if UnsafeRune(r) {
				return true
			}
			rest = rest[j+size:]
		}
	}
	return false
}

// RuneWidth is the number of cells one printable rune takes (0, 1 or 2):
// the measure lipgloss and x/ansi use for a rune of its own (grapheme width,
// East Asian ambiguous as narrow), taken from the same library underneath
// them, so that tab stops after Japanese text land where the panes draw them
// (TestRuneWidthMatchesANSI checks every rune against ansi.StringWidth).
func RuneWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return displaywidth.Rune(r)
}

// PlainASCII reports whether b is printable ASCII only (0x20 to 0x7e): text
// that needs no escaping and takes one cell per byte.
func PlainASCII[T ~string | ~[]byte](b T) bool {
	for i := 0; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// UnsafeRune is true for runes a terminal acts on or that reorder the text
// around them: C1 controls, bidi embeddings/overrides/isolates, line and
// paragraph separators, and the BOM / zero-width no-break space.
func UnsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

func writeByteEscape(sb *strings.Builder, c byte) {
	sb.WriteString(`\x`)
	sb.WriteByte(hexDigits[c>>4])
	sb.WriteByte(hexDigits[c&0xf])
}

func writeRuneEscape(sb *strings.Builder, r rune) {
	sb.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		sb.WriteByte(hexDigits[(r>>uint(shift))&0xf])
	}
}
