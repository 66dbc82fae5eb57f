package forecast

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// disks are the forecast disks in the order they are shown, with their
// sampled metric.
var disks = []struct{ name, metric string }{
	{DiskRoot, history.MetricFreeRoot},
	{DiskDatadir, history.MetricFreeDatadir},
	{DiskPublic, history.MetricFreePublic},
}

// Disks lists the disk names.
func Disks() []string {
	out := make([]string, len(disks))
	for i, d := range disks {
		out[i] = d.name
	}
	return out
}

// PathOf is the folder a disk is sampled at.
func PathOf(cfg *config.Config, disk string) string {
	switch disk {
	case DiskRoot:
		return "/"
	case DiskDatadir:
		return cfg.Database.Datadir
	case DiskPublic:
		return cfg.Public.Dir
	}
	return ""
}

// Read computes the forecast of every disk with samples in the last day,
// one per disk and host, in Disks order.
func Read(ctx context.Context, s *history.Store, cfg *config.Config, now time.Time) ([]Forecast, error) {
	out := []Forecast{}
	for _, d := range disks {
		// Host by host: each is a range of the samples' key, so only the
		// last day is read, not the whole retention.
		hosts, err := s.SampleHosts(ctx, d.metric)
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			ss, err := s.Samples(ctx, history.SamplesQuery{Metric: d.metric, Host: h, Since: now.Add(-DayWindow)})
			if err != nil {
				return nil, err
			}
			if len(ss) == 0 {
				continue
			}
			pts := make([]Point, len(ss))
			for i, x := range ss {
				pts[i] = Point{T: x.Time, V: x.Value}
			}
			f := Compute(pts, now)
			f.Disk, f.Host, f.Path = d.name, h, PathOf(cfg, d.name)
			out = append(out, f)
		}
	}
	return out, nil
}

// Subject is the forecast's key in the history events: disk@host.
func (f Forecast) Subject() string { return f.Disk + "@" + f.Host }

// Levels are the recorded levels by Subject: the last forecast event of
// each is its current level.
func Levels(ctx context.Context, s *history.Store) (map[string]string, error) {
	evs, err := s.Events(ctx, history.EventForecast, time.Time{})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range evs {
		out[e.Subject] = e.Level
	}
	return out, nil
}

// Result is the judged forecasts.
type Result struct {
	At        time.Time
	Forecasts []Forecast
	// RecordErr says why a changed level could not be recorded ("" when
	// it was, or nothing changed): the level shown is still the judged one.
	RecordErr string
}

// Disk is the forecast of the named disk (the first host's), ok false when
// there is none.
func (r Result) Disk(name string) (Forecast, bool) { return r.DiskOn(name, "") }

// DiskOn is the forecast of the named disk on hostName, else (samples of
// another host: the config named another one before) the first host's.
func (r Result) DiskOn(name, hostName string) (Forecast, bool) {
	var first *Forecast
	for i, f := range r.Forecasts {
		if f.Disk != name {
			continue
		}
		if f.Host == hostName {
			return f, true
		}
		if first == nil {
			first = &r.Forecasts[i]
		}
	}
	if first == nil {
		return Forecast{}, false
	}
	return *first, true
}

// Judge reads the forecasts and their recorded levels from the history
// database, applies the thresholds with their hysteresis, and records each
// changed level as a forecast event (source says who judged), so that
// every `richsops check`, the console and the watch service go on from
// the same level. history.ErrNoDatabase when there is no database yet.
func Judge(ctx context.Context, cfg *config.Config, now time.Time, source string) (Result, error) {
	opts := history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration}
	s, err := history.OpenReader(ctx, cfg.History.Path, opts)
	if err != nil {
		return Result{At: now, Forecasts: []Forecast{}}, err
	}
	res, changed, err := judge(ctx, s, cfg, now, source)
	s.Close()
	if err == nil && len(changed) > 0 {
		// A writer only for a change: readers are the quick path.
		if err := record(ctx, cfg.History.Path, opts, changed); err != nil {
			res.RecordErr = err.Error()
		}
	}
	return res, err
}

// JudgeStore is Judge on an open writer (the watch service's), which
// records the changes itself.
func JudgeStore(ctx context.Context, s *history.Store, cfg *config.Config, now time.Time, source string) (Result, []history.Event, error) {
	res, changed, err := judge(ctx, s, cfg, now, source)
	if err != nil {
		return res, nil, err
	}
	var errs []error
	for _, e := range changed {
		errs = append(errs, s.AddEvent(ctx, e))
	}
	if err := errors.Join(errs...); err != nil {
		res.RecordErr = err.Error()
	}
	return res, changed, nil
}

// judge reads and judges; changed are the events of the levels that moved.
func judge(ctx context.Context, s *history.Store, cfg *config.Config, now time.Time, source string) (Result, []history.Event, error) {
	res := Result{At: now, Forecasts: []Forecast{}}
	fs, err := Read(ctx, s, cfg, now)
	if err != nil {
		return res, nil, err
	}
	prev, err := Levels(ctx, s)
	if err != nil {
		return res, nil, err
	}
	var changed []history.Event
	for i := range fs {
		f := &fs[i]
		f.Prev = prev[f.Subject()]
		if f.Prev == "" {
			f.Prev = LevelOK
		}
		f.Level = Next(f.Prev, f.hoursForLevel(now), cfg.Forecast)
		if f.Level != f.Prev {
			changed = append(changed, history.Event{Time: now, Kind: history.EventForecast, Source: source,
				Subject: f.Subject(), Level: f.Level, Detail: f.Text(english, now)})
		}
	}
	res.Forecasts = fs
	return res, changed, nil
}

// hoursForLevel: NaN when unknown (the level stays), +Inf when not filling.
func (f Forecast) hoursForLevel(now time.Time) float64 {
	if !f.Known() {
		return math.NaN()
	}
	if h, ok := f.HoursLeft(now); ok {
		return h
	}
	return math.Inf(1)
}

func record(ctx context.Context, path string, opts history.Options, evs []history.Event) error {
	w, err := history.OpenWriter(ctx, path, opts)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range evs {
		errs = append(errs, w.AddEvent(ctx, e))
	}
	errs = append(errs, w.Close())
	return errors.Join(errs...)
}
