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

// String is Line for a string.
func String(s string) string { return Line([]byte(s)) }

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
