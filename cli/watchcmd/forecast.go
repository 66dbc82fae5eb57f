package watchcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/notify"
	"github.com/richs/richsops/ops/sanitize"
)

func init() {
	registerInterlock(interlock{name: "forecast", run: forecastLoop, once: forecastOnce})
}

// forecastOnce judges the disks once (watch --once) and sends the levels
// this pass changed.
func forecastOnce(ctx context.Context, x *interlockEnv) error {
	return forecastPass(ctx, x, time.Now(), nil, nil)
}

// forecastLoop judges the disks every watch interval, so that a level
// moves (and is recorded) while nobody runs check or the console, and
// sends every level change recorded since the last pass, whoever
// recorded it: a check, the console or this loop.
func forecastLoop(ctx context.Context, x *interlockEnv) {
	since, sent := time.Now(), map[string]string{}
	tk := time.NewTicker(x.Env.Cfg.Watch.Interval.Duration)
	defer tk.Stop()
	last := ""
	for {
		err := forecastPass(ctx, x, time.Now(), &since, sent)
		// An error is said once until another comes, not every interval.
		if msg := fmt.Sprint(err); err != nil && msg != last {
			fmt.Fprintf(x.Env.Stderr, "%s richsops watch: forecast: %s\n", time.Now().Format(time.RFC3339), sanitize.String(msg))
		}
		last = fmt.Sprint(err)
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}

// forecastPass judges and sends: with since, every forecast event from
// since on (since moves past them); without, this pass's changes. sent is
// the level last sent per subject: two judges that recorded the same
// change at once (a check and the console) send it once.
func forecastPass(ctx context.Context, x *interlockEnv, now time.Time, since *time.Time, sent map[string]string) error {
	s := x.Store()
	if s == nil {
		return nil // the history database cannot be opened: the watch service says so
	}
	cfg := x.Env.Cfg
	res, evs, err := forecast.JudgeStore(ctx, s, cfg, now, "watch")
	if err != nil {
		return err
	}
	if since != nil {
		if evs, err = s.Events(ctx, history.EventForecast, *since); err != nil {
			return err
		}
		if len(evs) > 0 {
			*since = evs[len(evs)-1].Time.Add(time.Millisecond)
		}
	}
	for _, e := range evs {
		if sent != nil {
			if sent[e.Subject] == e.Level {
				continue
			}
			sent[e.Subject] = e.Level
		}
		x.Sink.Notify(forecastMessage(cfg.T, res, e))
	}
	if res.RecordErr != "" {
		return errors.New("level not recorded: " + res.RecordErr)
	}
	return nil
}

// forecastMessage is the message of a level change: the forecast's text
// now in the configured language (the event's English detail for a disk
// this pass did not see).
func forecastMessage(t func(en, ja string) string, res forecast.Result, e history.Event) notify.Message {
	text := sanitize.String(e.Detail)
	for _, f := range res.Forecasts {
		if f.Subject() == e.Subject {
			text = f.Text(t, res.At)
		}
	}
	_, hostName, _ := strings.Cut(e.Subject, "@")
	return notify.Message{Time: e.Time, Level: e.Level, Kind: notify.KindForecast, Subject: sanitize.String(e.Subject),
		Host: sanitize.String(hostName), Text: text, Open: e.Level != forecast.LevelOK}
}
