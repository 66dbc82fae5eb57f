package common

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/sanitize/cells"
)

// Ellipsis marks a value that was cut to fit.
const Ellipsis = "…"

// The width helpers measure in terminal cells (a Japanese character takes
// two). Their names say what they do: Cut only shortens, Pad only fills,
// CutPad does both. A cut always ends in Ellipsis, so a shortened value never
// reads as the whole. Text may hold styling (lipgloss output): the escape
// sequences take no cells.

// Width is the number of cells s takes on screen.
func Width(s string) int {
	if styled(s) {
		return lipgloss.Width(s)
	}
	return cells.Width(s)
}

// Cut shortens s to at most w cells, ending in Ellipsis when it had to cut;
// a shorter s is returned as it is.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if styled(s) {
		return ansi.Truncate(s, w, Ellipsis)
	}
	if cells.Width(s) <= w {
		return s
	}
	return cells.Cut(s, w-1) + Ellipsis
}

// Pad fills s with spaces to w cells; a longer s is returned as it is.
func Pad(s string, w int) string {
	if n := Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// CutPad makes s exactly w cells: cut (with Ellipsis) or filled.
func CutPad(s string, w int) string { return Pad(Cut(s, w), w) }

func styled(s string) bool { return strings.IndexByte(s, ansi.ESC) >= 0 }
