// Package sanitize makes untrusted text (log lines) safe to print on a
// terminal, and measures and cuts it in terminal cells.
//
// A log line is attacker input: an escape sequence in it could recolour,
// move the cursor, retitle the window or write to the clipboard. Line turns
// every byte that a terminal would interpret into a visible escape such as
// \x1b, so the output holds no byte below 0x20, no DEL, no C1 control (raw or
// UTF-8 encoded) and is valid UTF-8.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// TabWidth is the tab stop distance used when tabs are expanded.
const TabWidth = 8

const hexDigits = "0123456789abcdef"

// Line returns b with every control byte, C1 control, bidi override and
// invalid UTF-8 byte replaced by a visible escape (\x1b, \u0085, \xff) and
// tabs expanded to spaces at TabWidth stops (counted in cells).
func Line(b []byte) string {
	if plainASCII(b) {
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
		if unsafeRune(r) {
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

// Clean reports whether s is already safe: printable ASCII and valid UTF-8
// without unsafe runes or tabs, so that Line would return it unchanged.
func Clean(s string) bool { return clean(s, false, utf8.DecodeRuneInString) }

// CleanLines is Clean for text of several lines: newlines are allowed. A
// follower checks a whole read at once, then needs no check per line.
func CleanLines(s string) bool { return clean(s, true, utf8.DecodeRuneInString) }

// CleanLinesBytes is CleanLines for bytes.
func CleanLinesBytes(b []byte) bool { return clean(b, true, utf8.DecodeRune) }

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	lows  = 0x7f7f7f7f7f7f7f7f
)

// load64 reads s[i:i+8] little-endian (the shifts compile to one load).
func load64[T string | []byte](s T, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// unsafeBytes has the high bit of each byte of w set where that byte is not
// printable ASCII (below 0x20, 0x7f, or 0x80 and above), newlines excepted
// when allowNL; the other bits are noise (mask with highs). Exact per byte:
// w&lows keeps every sum below 0x100.
func unsafeBytes(w uint64, allowNL bool) uint64 {
	t := w & lows
	atLeast20 := t + ones*0x60 // high bit set where the low 7 bits >= 0x20
	is7f := t + ones*0x01      // high bit set where the low 7 bits == 0x7f
	if !allowNL {
		return w | is7f | ^atLeast20
	}
	x := w ^ ones*'\n'
	notNL := ((x & lows) + lows) | x // high bit set where the byte is not '\n'
	return w | is7f | (notNL &^ atLeast20)
}

func clean[T string | []byte](s T, allowNL bool, decode func(T) (rune, int)) bool {
	i := 0
	for i < len(s) {
		// 32 bytes at a time while they are all printable ASCII (the usual
		// log text): four independent words, one branch.
		for i+32 <= len(s) {
			if (unsafeBytes(load64(s, i), allowNL)|unsafeBytes(load64(s, i+8), allowNL)|
				unsafeBytes(load64(s, i+16), allowNL)|unsafeBytes(load64(s, i+24), allowNL))&highs != 0 {
				break
			}
			i += 32
		}
		if i+8 <= len(s) && unsafeBytes(load64(s, i), allowNL)&highs == 0 {
			i += 8
			continue
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f, c == '\n' && allowNL:
			i++
			continue
		case c < 0x80:
			return false
		}
		r, size := decode(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune is true for runes a terminal acts on or that reorder the text
// around them: C1 controls, bidi embeddings/overrides/isolates, line and
// paragraph separators, and the BOM / zero-width no-break space.
func unsafeRune(r rune) bool {
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
