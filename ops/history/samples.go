package history

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"
)

// Metric names of the samples the watch service takes.
const (
	MetricDiskRoot    = "disk_root_percent"
	MetricDiskDatadir = "disk_datadir_percent"
	MetricDiskPublic  = "disk_public_percent"
	MetricFreeRoot    = "disk_root_free_bytes"
	MetricFreeDatadir = "disk_datadir_free_bytes"
	MetricFreePublic  = "disk_public_free_bytes"
	MetricBinlogBytes = "binlog_bytes"
	MetricLoad1       = "load1"
	MetricMemPercent  = "mem_percent"
)

// Sample is one value of one metric on one host at one time.
type Sample struct {
	Metric string
	Host   string
	Time   time.Time
	Value  float64
	// Hourly aggregates (Min, Max, N) are set for samples older than the
	// full-rate retention; a full-rate sample has N == 1.
	Min, Max float64
	N        int
}

// AddSamples writes samples in one transaction.
func (s *Store) AddSamples(ctx context.Context, ss []Sample) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO samples (metric, host, ts, value) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, x := range ss {
			if _, err := st.ExecContext(ctx, x.Metric, x.Host, x.Time.Unix(), x.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// SamplesQuery selects samples.
type SamplesQuery struct {
	Metric string // "" = every metric
	Host   string // "" = every host; only with Metric
	Since  time.Time
}

// Samples lists full-rate samples and, before them, the hourly aggregates,
// oldest first per metric.
func (s *Store) Samples(ctx context.Context, q SamplesQuery) ([]Sample, error) {
	// One metric (and host) is a range of the primary key (metric, host,
	// ts) only when the query says metric = ? (and host = ?): "? = '' OR
	// metric = ?" scans the table.
	where, args := "", []any{q.Since.Unix()}
	if q.Metric != "" {
		where, args = " AND metric = ?", append(args, q.Metric)
		if q.Host != "" {
			where, args = where+" AND host = ?", append(args, q.Host)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT metric, host, hour, avg, min, max, n FROM samples_hourly WHERE hour >= ?`+where+`
		UNION ALL SELECT metric, host, ts, value, value, value, 1 FROM samples WHERE ts >= ?`+where+`
		ORDER BY 1, 2, 3`, append(args, args...)...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []Sample{}
	for rows.Next() {
		var x Sample
		var ts int64
		if err := rows.Scan(&x.Metric, &x.Host, &ts, &x.Value, &x.Min, &x.Max, &x.N); err != nil {
			return nil, err
		}
		x.Time = time.Unix(ts, 0)
		out = append(out, x)
	}
	return out, rows.Err()
}

// SampleHosts lists the hosts with samples of metric, in order. Each is one
// step down the primary key from the last (a skip scan), not a read of
// every sample.
func (s *Store) SampleHosts(ctx context.Context, metric string) ([]string, error) {
	out := []string{}
	for _, table := range []string{"samples", "samples_hourly"} {
		last := ""
		for {
			var h string
			err := s.db.QueryRowContext(ctx, `SELECT host FROM `+table+` WHERE metric = ? AND host > ? ORDER BY host LIMIT 1`, metric, last).Scan(&h)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return nil, classify(err)
			}
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
			last = h
		}
	}
	slices.Sort(out)
	return out, nil
}

// Event is one thing that happened: a guard decision, an audited action's
// outcome, an attention transition.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Source  string    `json:"source"`
	Subject string    `json:"subject"`
	Level   string    `json:"level"`
	Detail  string    `json:"detail"`
}

// Event kinds.
const (
	EventGuard     = "guard"
	EventAction    = "action"
	EventAttention = "attention"
	EventWatch     = "watch"
	// The watch service's interlocks and its messages.
	EventBrake    = "brake"    // a run braked for mass withdrawal
	EventHold     = "hold"     // Amazon hold started or ended
	EventCatchUp  = "catch-up" // a missed run started by the watch service
	EventForecast = "forecast" // a disk-full forecast level changed
	EventNotify   = "notify"   // a message and its delivery result
)

// AddEvent records one event.
func (s *Store) AddEvent(ctx context.Context, e Event) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO events (ts_ms, kind, source, subject, level, detail) VALUES (?, ?, ?, ?, ?, ?)`,
			ms(e.Time), e.Kind, e.Source, e.Subject, e.Level, e.Detail)
		return err
	})
}

// Events lists events since t (kind "" = all), oldest first.
func (s *Store) Events(ctx context.Context, kind string, since time.Time) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ts_ms, kind, source, subject, level, detail FROM events WHERE ts_ms >= ? AND (? = '' OR kind = ?) ORDER BY ts_ms, id`, ms(since), kind, kind)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var t int64
		if err := rows.Scan(&t, &e.Kind, &e.Source, &e.Subject, &e.Level, &e.Detail); err != nil {
			return nil, err
		}
		e.Time = fromMS(t)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Retention says how long each kind of record is kept.
type Retention struct {
	SamplesFull   time.Duration // full-rate samples; older ones become hourly aggregates
	SamplesHourly time.Duration
	Runs          time.Duration
	Events        time.Duration
}

// DefaultRetention: samples at full rate 14 days, hourly for a year; runs
// and events 2 years.
var DefaultRetention = Retention{
	SamplesFull:   14 * 24 * time.Hour,
	SamplesHourly: 365 * 24 * time.Hour,
	Runs:          2 * 365 * 24 * time.Hour,
	Events:        2 * 365 * 24 * time.Hour,
}

// Prune folds full-rate samples older than the retention into hourly
// aggregates and removes what is past its retention, in one transaction.
func (s *Store) Prune(ctx context.Context, now time.Time, r Retention) error {
	if r.SamplesFull <= 0 {
		r = DefaultRetention
	}
	// Whole hours only, so an hour is never aggregated from half its samples.
	cut := now.Add(-r.SamplesFull).Truncate(time.Hour).Unix()
	return s.write(ctx, func(tx *sql.Tx) error {
		stmts := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO samples_hourly (metric, host, hour, min, max, avg, n)
				SELECT metric, host, (ts / 3600) * 3600 AS h, MIN(value), MAX(value), AVG(value), COUNT(*) FROM samples WHERE ts < ? GROUP BY metric, host, h
				ON CONFLICT (metric, host, hour) DO UPDATE SET min = MIN(min, excluded.min), max = MAX(max, excluded.max),
					avg = (avg * n + excluded.avg * excluded.n) / (n + excluded.n), n = n + excluded.n`, []any{cut}},
			{`DELETE FROM samples WHERE ts < ?`, []any{cut}},
			{`DELETE FROM samples_hourly WHERE hour < ?`, []any{now.Add(-r.SamplesHourly).Unix()}},
			{`DELETE FROM runs WHERE start_ms < ? AND end_ms IS NOT NULL`, []any{ms(now.Add(-r.Runs))}},
			{`DELETE FROM events WHERE ts_ms < ?`, []any{ms(now.Add(-r.Events))}},
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Checkpoint folds the WAL back into the database file and truncates it,
// so the file size is the database's.
func (s *Store) Checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return classify(err)
}
