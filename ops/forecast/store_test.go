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
