package common

import (
	"math"
	"strings"
)

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the last width values, scaled from 0 to the maximum;
// zero is a blank. hi fixes the top (100 for
// percentages); 0 = the series' maximum.
func Sparkline(values []float64, width int, hi float64) string {
	if width <= 0 || len(values) == 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	top := hi
	if top <= 0 {
		for _, v := range values {
			top = math.Max(top, v)
		}
	}
	var b strings.Builder
	for _, v := range values {
		if v <= 0 {
			b.WriteByte(' ') // nothing at all reads differently from a little
			continue
		}
		i := 0
		if top > 0 {
			i = int(math.Round(v / top * float64(len(sparkRunes)-1)))
		}
		b.WriteRune(sparkRunes[min(max(i, 0), len(sparkRunes)-1)])
	}
	return b.String()
}
