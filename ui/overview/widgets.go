package overview

import (
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// gauge is a bar of width cells filled to pct (0..100) in the style of its level.
func gauge(pct float64, width int, full, empty lipgloss.Style) string {
	if width <= 0 {
		return ""
	}
	n := int(math.Round(math.Min(math.Max(pct, 0), 100) / 100 * float64(width)))
	return full.Render(strings.Repeat("█", n)) + empty.Render(strings.Repeat("░", width-n))
}
