package history

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] takes the schema from user_version i to i+1. Append only:
// a released step is never edited.
var migrations = []string{
	// 1: runs, samples (full rate and hourly), events.
	`CREATE TABLE runs (
		id        INTEGER PRIMARY KEY,
		job       TEXT NOT NULL,
		host      TEXT NOT NULL,
		pid       INTEGER NOT NULL DEFAULT 0,
		start_ms  INTEGER NOT NULL,
		end_ms    INTEGER,             -- NULL while running
		exit_code INTEGER,             -- NULL when unknown
		trigger   TEXT NOT NULL DEFAULT 'unknown',
		user      TEXT NOT NULL DEFAULT '',
		sudo_user TEXT NOT NULL DEFAULT '',
		killed_by TEXT NOT NULL DEFAULT '',
		argv      TEXT NOT NULL DEFAULT '[]', -- JSON list
		counts    TEXT NOT NULL DEFAULT '{}', -- JSON object
		overlap   INTEGER NOT NULL DEFAULT 0, -- shared log written by another run meanwhile
		source    TEXT NOT NULL DEFAULT 'watch', -- watch (observed) | exec (the waiting parent)
		log_from  INTEGER NOT NULL DEFAULT -1  -- log size at start, for the counts
	);
	CREATE INDEX runs_job_start ON runs(job, start_ms);
	CREATE INDEX runs_start ON runs(start_ms);
	CREATE INDEX runs_open ON runs(host, pid) WHERE end_ms IS NULL;
	CREATE TABLE samples (
		metric TEXT NOT NULL,
		host   TEXT NOT NULL,
		ts     INTEGER NOT NULL, -- unix seconds
		value  REAL NOT NULL,
		PRIMARY KEY (metric, host, ts)
	) WITHOUT ROWID;
	CREATE TABLE samples_hourly (
		metric TEXT NOT NULL,
		host   TEXT NOT NULL,
		hour   INTEGER NOT NULL, -- unix seconds of the hour's start
		min    REAL NOT NULL,
		max    REAL NOT NULL,
		avg    REAL NOT NULL,
		n      INTEGER NOT NULL,
		PRIMARY KEY (metric, host, hour)
	) WITHOUT ROWID;
	CREATE TABLE events (
		id      INTEGER PRIMARY KEY,
		ts_ms   INTEGER NOT NULL,
		kind    TEXT NOT NULL,  -- guard | action | attention | watch
		source  TEXT NOT NULL DEFAULT '',
		subject TEXT NOT NULL DEFAULT '',
		level   TEXT NOT NULL DEFAULT '', -- ok | warn | crit
		detail  TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX events_ts ON events(ts_ms);
	CREATE INDEX events_kind_ts ON events(kind, ts_ms);`,
}

// SchemaVersion is the version this richsops writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the missing steps, each in its own transaction with the
// version bump, so a crash leaves a whole step or none.
func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("history database has schema %d, newer than this richsops (%d): upgrade richsops", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("history schema step %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
