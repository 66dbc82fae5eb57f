package watchcmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/internal/testenv/notifytest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/notify"
)

func forecastEnv(t *testing.T, lang string) (*interlockEnv, *notifytest.Sink) {
	t.Helper()
	cfg := config.Default()
	cfg.Lang = lang
	cfg.Database.Datadir = "/var/lib/mysql"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	svc := &service{env: &cli.Env{Cfg: cfg}}
	if svc.open(context.Background()) == nil {
		t.Fatal("history not opened")
	}
	t.Cleanup(func() { svc.store.Close() })
	rec := &notifytest.Sink{}
	return &interlockEnv{Env: svc.env, Sink: rec, svc: svc}, rec
}

// watch --once: a level raised by this pass is one message (in the
// configured language), the same level again none, its clearing the
// recovery.
func TestForecastInterlockOnce(t *testing.T) {
	ctx := context.Background()
	x, rec := forecastEnv(t, "ja")
	now := time.Now()
	add := func(at time.Time, free, perHour float64) {
		if err := x.Store().AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "db1", at, free, perHour)); err != nil {
			t.Fatal(err)
		}
	}
	add(now, 5<<30, 1<<30)
	if err := forecastOnce(ctx, x); err != nil {
		t.Fatal(err)
	}
	msgs := rec.Take()
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	if m := msgs[0]; m.Kind != notify.KindForecast || m.Level != notify.LevelWarn || m.Subject != "datadir@db1" || m.Host != "db1" || !m.Open ||
		!strings.Contains(m.Text, "は約 5.0 時間で満杯") {
		t.Errorf("message %+v", m)
	}
	if err := forecastOnce(ctx, x); err != nil || len(rec.Take()) != 0 {
		t.Errorf("the same level again sent: %v", err)
	}
	later := now.Add(2 * time.Hour)
	add(later, 5<<30, -1<<30)
	if err := forecastPass(ctx, x, later, nil, nil); err != nil {
		t.Fatal(err)
	}
	if msgs := rec.Take(); len(msgs) != 1 || msgs[0].Level != notify.LevelOK || msgs[0].Open {
		t.Errorf("recovery %+v", msgs)
	}
}

// The service's loop sends a change recorded by someone else (a check
// between two passes) too, once, also when two recorded it.
func TestForecastInterlockSendsOthersChanges(t *testing.T) {
	ctx := context.Background()
	x, rec := forecastEnv(t, "en")
	since, sent := time.Now().Add(-time.Minute), map[string]string{}
	now := time.Now()
	if err := forecastPass(ctx, x, now, &since, sent); err != nil || len(rec.Take()) != 0 {
		t.Fatalf("nothing to send: %v", err)
	}
	if err := x.Store().AddSamples(ctx, filltest.Hour(history.MetricFreeDatadir, "db1", now, 1<<30, 1<<30)); err != nil {
		t.Fatal(err)
	}
	// Two judges at once (a check and the console) both record the change.
	for _, who := range []string{"check", "console"} {
		if _, err := forecast.Judge(ctx, x.Env.Cfg, now, who); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Store().AddEvent(ctx, history.Event{Time: now, Kind: history.EventForecast, Source: "console", Subject: "datadir@db1", Level: "crit"}); err != nil {
		t.Fatal(err)
	}
	if err := forecastPass(ctx, x, now, &since, sent); err != nil {
		t.Fatal(err)
	}
	msgs := rec.Take()
	if len(msgs) != 1 || msgs[0].Level != notify.LevelCrit || !strings.HasPrefix(msgs[0].Text, "datadir /var/lib/mysql full in about 1.0 h") {
		t.Fatalf("messages %+v", msgs)
	}
	if err := forecastPass(ctx, x, now, &since, sent); err != nil || len(rec.Take()) != 0 {
		t.Errorf("sent twice: %v", err)
	}
}
