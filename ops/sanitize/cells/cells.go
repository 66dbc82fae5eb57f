// Package cells measures, cuts and wraps sanitized text in terminal cells.
// The helpers expect sanitized text (no escape sequences: see package
// sanitize). They use the same grapheme-aware measure as lipgloss, so what
// they cut lines up with what lipgloss draws: a Japanese character takes two
// cells. A package of its own so that `richsops tail`, which sanitizes but
// never measures, does not link the Unicode width tables.
package cells

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/sanitize"
)

// Width is the number of terminal cells s takes.
func Width(s string) int { return ansi.StringWidth(s) }

// Cut returns the longest prefix of s that fits in w cells. A wide character
// that would straddle the edge is left out, never split.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && sanitize.PlainASCII(s) {
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
	if len(s) <= w && sanitize.PlainASCII(s) {
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
