package check

import (
	"context"
	"errors"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// SrcForecast is the source of the disk-full forecasts.
const SrcForecast = "forecast"

func init() {
	register(Collector{Name: SrcForecast, Timeout: 10 * time.Second, Run: Forecast})
}

// Forecast: a disk full in under forecast.warn_hours at the last hour's
// rate is a warning, under crit_hours critical; the level is cleared only
// above clear_warn_hours / clear_crit_hours, and kept in the history
// database so every check goes on from the last one. A raised level whose
// forecast cannot be made now (too few samples) stays, and says so.
// Without a history database there is nothing to judge: no items.
func Forecast(ctx context.Context, cfg *config.Config, _ *host.Registry) attention.Report {
	res, err := forecast.Judge(ctx, cfg, time.Now(), "check")
	if errors.Is(err, history.ErrNoDatabase) {
		return report(SrcForecast, nil)
	}
	if err != nil {
		return report(SrcForecast, []attention.Item{couldNotRun(SrcForecast, err.Error())})
	}
	return report(SrcForecast, ForecastItems(res, cfg.T))
}

// ForecastItems are the attention items of judged forecasts.
func ForecastItems(res forecast.Result, t func(en, ja string) string) []attention.Item {
	var items []attention.Item
	for _, f := range res.Forecasts {
		sev := attention.OK
		switch f.Level {
		case forecast.LevelWarn:
			sev = attention.Warn
		case forecast.LevelCrit:
			sev = attention.Crit
		}
		if sev == attention.OK {
			continue
		}
		// Each with the key of its fix: the datadir's purge on the Database
		// tab, the public folder's clean-up on the Overview.
		it := attention.Item{Severity: sev, Area: attention.AreaOverview, Text: f.Text(t, res.At)}
		switch f.Disk {
		case forecast.DiskDatadir:
			it.Area, it.Key = attention.AreaDatabase, "P"
		case forecast.DiskPublic:
			it.Key = "C"
		}
		items = append(items, it)
	}
	// A level that could not be recorded (a check run by a user who may
	// not write the history database, as a Zabbix agent's) is no problem
	// of the box: the watch service judges and records it on its next pass.
	return items
}
