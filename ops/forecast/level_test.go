package forecast

import (
	"math"
	"testing"

	"github.com/richs/richsops/ops/config"
)

func TestNextHysteresis(t *testing.T) {
	th := config.Default().Forecast
	inf := math.Inf(1)
	for _, c := range []struct {
		name  string
		hours []float64
		want  []string
	}{
		{"raise warn, stay, clear above 48", []float64{20, 7, 9, 30, 47, 49}, []string{"ok", "warn", "warn", "warn", "warn", "ok"}},
		{"raise crit, stay, down to warn, clear", []float64{1.5, 3, 23, 25, 47, 48.5}, []string{"crit", "crit", "crit", "warn", "warn", "ok"}},
		{"crit straight to ok", []float64{1, 100}, []string{"crit", "ok"}},
		{"warn to crit", []float64{5, 1.9}, []string{"warn", "crit"}},
		{"not filling clears", []float64{1, inf}, []string{"crit", "ok"}},
		{"unknown keeps the level", []float64{1, math.NaN(), math.NaN(), 30}, []string{"crit", "crit", "crit", "warn"}},
		{"wavering about 8 h does not flap", []float64{7.9, 8.1, 7.9, 8.1}, []string{"warn", "warn", "warn", "warn"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lv := LevelOK
			for i, h := range c.hours {
				lv = Next(lv, h, th)
				if lv != c.want[i] {
					t.Fatalf("step %d (%.1f h): %s, want %s", i, h, lv, c.want[i])
				}
			}
		})
	}
}
