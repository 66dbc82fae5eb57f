package forecast

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

func testConfig(t *testing.T) *config.Config {
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.Database.Datadir = "/var/lib/mysql"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	return cfg
}

// The level lives in the history database: each Judge is a separate
// `richsops check` going on from the last recorded level. Raised under 8 h,
// it stays at 30 h, clears above 48 h; each change is one event.
func TestJudgeRaiseStayClear(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	if _, err := Judge(ctx, cfg, t0, "check"); !errors.Is(err, history.ErrNoDatabase) {
		t.Fatalf("no database: %v", err)
	}
	w, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	now := t0
	for i, c := range []struct {
		free, perHour float64 // at the hour's start
		want          string
		text          string
	}{
		{13 * gib, 2 * gib, LevelWarn, "datadir /var/lib/mysql full in about 5.5 h (11.0 GiB free, filling 2.0 GiB/h over the last hour)"},
		{61 * gib, 2 * gib, LevelWarn, "full in about 30 h"},
		{61 * gib, 2 * gib, LevelWarn, "full in about 30 h"},
		{101 * gib, 2 * gib, LevelOK, "full in about 49 h"},
		{3 * gib, 2 * gib, LevelCrit, "full in about 0.5 h"},
		{10 * gib, -gib, LevelOK, "not filling (11.0 GiB free, +1.0 GiB/h free over the last hour)"},
	} {
		now = now.Add(2 * time.Hour)
		if err := w.AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "db1", now, c.free-c.perHour, c.perHour)); err != nil {
			t.Fatal(err)
		}
		res, err := Judge(ctx, cfg, now, "check")
		if err != nil || res.RecordErr != "" {
			t.Fatalf("step %d: %v %s", i, err, res.RecordErr)
		}
		f, ok := res.Disk(DiskDatadir)
		if !ok || f.Level != c.want || f.Host != "db1" {
			t.Fatalf("step %d: %+v, want %s", i, f, c.want)
		}
		if txt := f.Text(cfg.T, now); !strings.Contains(txt, c.text) {
			t.Errorf("step %d: %q, want %q", i, txt, c.text)
		}
	}
	if err := w.AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "a-former-db", now, 99*gib, 0)); err != nil {
		t.Fatal(err)
	}
	res, err := Judge(ctx, cfg, now, "check")
	if f, ok := res.DiskOn(DiskDatadir, "db1"); err != nil || !ok || f.Host != "db1" {
		t.Errorf("datadir on db1: %+v %v", f, err)
	}
	if f, ok := res.DiskOn(DiskDatadir, "db9"); !ok || f.Host != "a-former-db" {
		t.Errorf("datadir on a host without samples: %+v, want the first's", f)
	}
	if _, ok := res.DiskOn(DiskPublic, "db1"); ok {
		t.Error("a forecast of a disk without samples")
	}
	evs, err := w.Events(ctx, history.EventForecast, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Level)
		if e.Subject != "datadir@db1" || e.Source != "check" {
			t.Errorf("event %+v", e)
		}
	}
	if strings.Join(got, " ") != "warn ok crit ok" {
		t.Errorf("events %v, want one per change", got)
	}
}

// A raised level whose forecast cannot be made now (the watch service
// stopped: no sample in the last hour) stays raised and says why, rather
// than clearing on a guess; a purge clears it once there are samples again.
func TestJudgeKeepsLevelWhenUnknown(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	w, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "db1", t0, gib, gib)); err != nil {
		t.Fatal(err)
	}
	if res, err := Judge(ctx, cfg, t0, "check"); err != nil || res.Forecasts[0].Level != LevelCrit {
		t.Fatalf("%+v %v", res, err)
	}
	later := t0.Add(2 * time.Hour)
	res, err := Judge(ctx, cfg, later, "check")
	if err != nil || len(res.Forecasts) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	f := res.Forecasts[0]
	if f.Level != LevelCrit || f.Known() || !strings.Contains(f.Text(cfg.T, later), "too few samples in the last hour to forecast (0)") {
		t.Errorf("%+v: %s", f, f.Text(cfg.T, later))
	}
	// Space freed (a purge), then filling slowly: a sample right after says
	// too few since the purge, an hour of them clears it.
	purged := later.Add(time.Minute)
	if err := w.AddSamples(ctx, []history.Sample{{Metric: history.MetricFreeDatadir, Host: "db1", Time: purged, Value: 50 * gib}}); err != nil {
		t.Fatal(err)
	}
	if f := judged(t, cfg, purged); f.Level != LevelCrit || !strings.Contains(f.Text(cfg.T, purged), "too few samples since space was freed") {
		t.Errorf("just purged: %+v %s", f, f.Text(cfg.T, purged))
	}
	end := purged.Add(time.Hour)
	if err := w.AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "db1", end, 49*gib, gib/60)); err != nil {
		t.Fatal(err)
	}
	if f := judged(t, cfg, end); f.Level != LevelOK {
		t.Errorf("after the purge: %+v %s", f, f.Text(cfg.T, end))
	}
}

func judged(t *testing.T, cfg *config.Config, now time.Time) Forecast {
	t.Helper()
	res, err := Judge(context.Background(), cfg, now, "check")
	if err != nil || len(res.Forecasts) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	return res.Forecasts[0]
}
