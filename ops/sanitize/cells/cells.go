// Package cells measures, cuts and wraps sanitized text in terminal cells.
// The helpers expect sanitized text (no escape sequences: see package
// sanitize). They use the same grapheme-aware measure as lipgloss, so what
// they cut lines up with what lipgloss draws: a Japanese character takes two
// cells. A package of its own so that `richsops tail`, which sanitizes but
// never measures, does not link x/ansi (its escape parser table, go-runewidth
// and go-colorful, whose package init runs at every start).
package cells

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"

	"github.com/richs/richsops/ops/sanitize"
)

// Width is the number of terminal cells s takes.
func Width(s string) int {
	_, n := CutWidth(s, math.MaxInt)
	return n
}

// Cut returns the longest prefix of s that fits in w cells. A wide character
// that would straddle the edge is left out, never split.
func Cut(s string, w int) string {
	cut, _ := CutWidth(s, w)
	return cut
}

// CutWidth is Cut and the width of what it returns, in one pass: a pane
// cuts and pads every row of every frame. It measures as x/ansi does (which
// lipgloss lays out with; FuzzCutWidthMatchesANSI holds the two together):
// a printable ASCII byte is one cell, and a grapheme cluster that starts
// with any other byte counts as displaywidth measures it, without x/ansi's
// escape-sequence parser, which sanitized text does not need.
func CutWidth(s string, w int) (string, int) {
	if w <= 0 {
		return "", 0
	}
	if len(s) <= w && sanitize.PlainASCII(s) {
		return s, len(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			if n+1 > w {
				return s[:i], n
			}
			n++
			i++
			continue
		}
		// A run of grapheme clusters, up to the next ASCII byte.
		g := displaywidth.StringGraphemes(s[i:])
		for g.Next() {
			cw := g.Width()
			if n+cw > w {
				return s[:i], n
			}
			n += cw
			i += len(g.Value())
			if i < len(s) && s[i] < utf8.RuneSelf {
				break
			}
		}
	}
	return s, n
}

// Pad cuts s to w cells and fills the rest with spaces, so the result is
// exactly w cells wide.
func Pad(s string, w int) string {
	s, n := CutWidth(s, w)
	if n < w {
		s += strings.Repeat(" ", w-n)
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
