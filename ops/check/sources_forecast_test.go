package check

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/history"
)

// fillSamples records an hour of samples of metric a minute apart up to
// now, filling perHour from free.
func fillSamples(t *testing.T, s *history.Store, metric, hostName string, now time.Time, free, perHour float64) {
	t.Helper()
	if err := s.AddSamples(context.Background(), filltest.Hour(metric, hostName, now, free-perHour, perHour)); err != nil {
		t.Fatal(err)
	}
}

// The datadir filling to full in about 5 h is a WARN for the Database tab
// with its purge key, root filling in an hour a CRIT; the levels stay
// raised on the next check at 30 h (hysteresis through the history
// database) and a disk that is not filling says nothing. No database, no
// items.
func TestForecastSource(t *testing.T) {
	ctx := context.Background()
	const gib = 1 << 30
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			cfg := config.Default()
			cfg.Lang = lang
			cfg.Database.Datadir = "/var/lib/mysql"
			cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
			if r := Forecast(ctx, cfg, nil); len(r.Items) != 0 {
				t.Fatalf("no database: %+v", r.Items)
			}
			s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			now := time.Now().Truncate(time.Second)
			fillSamples(t, s, history.MetricFreeDatadir, "db1", now, 14.3*gib, 2.3*gib)
			fillSamples(t, s, history.MetricFreeRoot, "local", now, 2*gib, gib)
			fillSamples(t, s, history.MetricFreePublic, "local", now, 50*gib, -gib)
			want := map[string]struct {
				sev       int
				area      attention.Area
				key, text string
			}{
				"en": {attention.Warn, attention.AreaDatabase, "P", "datadir /var/lib/mysql full in about 5.2 h (12.0 GiB free, filling 2.3 GiB/h over the last hour)"},
				"ja": {attention.Warn, attention.AreaDatabase, "P", "datadir /var/lib/mysql は約 5.2 時間で満杯（空き 12.0 GiB、直近 1 時間の増加 2.3 GiB/h）"},
			}[lang]
			r := RunOne(ctx, cfg, nil, Collector{Name: SrcForecast, Run: Forecast})
			if len(r.Items) != 2 {
				t.Fatalf("items %+v, want root and datadir", r.Items)
			}
			if it := r.Items[0]; it.Severity != attention.Crit || !strings.HasPrefix(it.Text, "disk / ") || it.Key != "" {
				t.Errorf("root %+v", it)
			}
			if it := r.Items[1]; it.Severity != want.sev || it.Area != want.area || it.Key != want.key || it.Text != want.text || it.Source != SrcForecast {
				t.Errorf("datadir %+v\nwant %q", it, want.text)
			}
			// An hour later the datadir's forecast is 30 h: still WARN.
			later := now.Add(time.Hour)
			fillSamples(t, s, history.MetricFreeDatadir, "db1", later, 71*gib, 2.3*gib)
			fillSamples(t, s, history.MetricFreeRoot, "local", later, 2*gib, 0)
			res := judgeAt(t, cfg, later)
			items := ForecastItems(res, cfg.T)
			if res.RecordErr != "" {
				t.Error(res.RecordErr)
			}
			if len(items) != 1 || items[0].Severity != attention.Warn || !strings.Contains(items[0].Text, forecast.FmtHours(cfg.T, 30)) {
				t.Errorf("after: %+v, want the datadir's WARN kept at 30 h", items)
			}
		})
	}
}

func judgeAt(t *testing.T, cfg *config.Config, now time.Time) forecast.Result {
	t.Helper()
	res, err := forecast.Judge(context.Background(), cfg, now, "check")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A level that cannot be recorded (here the database is locked by another
// writer past the busy timeout; on the box, a check run by a user who may
// not write it) is still reported, and is no item of its own: the watch
// service records it on its next pass.
func TestForecastSourceUnrecordedLevel(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	cfg.History.BusyTimeout = config.Duration{Duration: 100 * time.Millisecond}
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fillSamples(t, s, history.MetricFreeDatadir, "db1", time.Now(), 2<<30, 1<<30)
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (ts_ms, kind) VALUES (0, 'hold-the-lock')`); err != nil {
		t.Fatal(err)
	}
	if res := judgeAt(t, cfg, time.Now()); res.RecordErr == "" {
		t.Fatal("the level was recorded through another writer's lock")
	}
	r := Forecast(ctx, cfg, nil)
	if len(r.Items) != 1 || r.Items[0].Severity != attention.Crit {
		t.Errorf("items %+v, want the datadir's CRIT alone", r.Items)
	}
}
