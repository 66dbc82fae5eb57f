package dbview

import "github.com/charmbracelet/x/ansi"

// truncateCells cuts s (which may hold styling) to w cells, ending in "…".
func truncateCells(s string, w int) string { return ansi.Truncate(s, w, "…") }
