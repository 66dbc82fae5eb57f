package sanitize

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The width helpers below expect sanitized text (no escape sequences). They
// use the same grapheme-aware measure as lipgloss, so what they cut lines up
// with what lipgloss draws: a Japanese character takes two cells.

// Width is the number of terminal cells s takes.
func Width(s string) int { return ansi.StringWidth(s) }

// RuneWidth is the number of cells one rune takes (0, 1 or 2).
func RuneWidth(r rune) int { return ansi.StringWidth(string(r)) }

// Cut returns the longest prefix of s that fits in w cells. A wide character
// that would straddle the edge is left out, never split.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && plainASCII([]byte(s)) {
		return s
	}
	return ansi.Truncate(s, w, "")
}

// Pad cuts s to w cells and fills the rest with spaces, so the result is
// exactly w cells wide.
func Pad(s string, w int) string {
	s = Cut(s, w)
	if n := w - Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// Wrap breaks s into rows of at most w cells (hard wrap at any character; a
// wide character that does not fit moves to the next row). An empty s is one
// empty row.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return []string{""}
	}
	if len(s) <= w && plainASCII([]byte(s)) {
		return []string{s}
	}
	var rows []string
	for s != "" {
		row := Cut(s, w)
		if row == "" { // a character wider than the row: emit it alone
			_, n := utf8.DecodeRuneInString(s)
			row = s[:n]
		}
		rows = append(rows, row)
		s = s[len(row):]
	}
	if rows == nil {
		rows = []string{""}
	}
	return rows
}
