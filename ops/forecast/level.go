package forecast

import (
	"math"

	"github.com/richs/richsops/ops/config"
)

// Next is the level after prev for a forecast of hours until full
// (+Inf when not filling): a level is raised under its hours (crit_hours,
// warn_hours) and cleared only above its clear hours (clear_crit_hours,
// clear_warn_hours), so a forecast that wavers about a threshold does not
// flap.
func Next(prev string, hours float64, th config.Forecast) string {
	if math.IsNaN(hours) {
		return prev
	}
	raised := LevelOK
	switch {
	case hours < th.CritHours:
		raised = LevelCrit
	case hours < th.WarnHours:
		raised = LevelWarn
	}
	switch prev {
	case LevelCrit:
		if hours <= th.ClearCritHours {
			return LevelCrit
		}
		if hours <= th.ClearWarnHours {
			return LevelWarn
		}
		return LevelOK
	case LevelWarn:
		if raised == LevelCrit {
			return LevelCrit
		}
		if hours <= th.ClearWarnHours {
			return LevelWarn
		}
		return LevelOK
	}
	return raised
}
