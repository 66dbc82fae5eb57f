// Package history is richsops' memory: an embedded SQLite database
// (modernc.org/sqlite, pure Go, so the binary stays static) of job runs,
// samples of the box (disks, binary logs, load, memory) and events
// (guard decisions, audited actions, attention transitions).
//
// One writer (the watch service, and richsops' own actions through
// OpenWriter), any number of readers (OpenReader): WAL mode lets readers
// read while the writer writes, busy_timeout makes a locked database wait
// instead of failing at once. The schema is versioned with PRAGMA
// user_version and migrated forward on every writer open.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNoDatabase: the history database does not exist yet; the console works
// without it and says how to start it.
var ErrNoDatabase = errors.New("no history database yet: start `richsops watch` (or install contrib/richsops-watch.service)")

// ErrFull: the disk under the database is full. History writes stop with
// this error; nothing else (the guard's interlock) waits for them.
var ErrFull = errors.New("history database: disk full, history writes stopped until space is freed")

// Options of a store. Zero values are the defaults.
type Options struct {
	BusyTimeout time.Duration // how long a locked database is waited for (default 5s)
}

// Store is an open history database.
type Store struct {
	db     *sql.DB
	path   string
	writer bool
	// Notice says what happened on open that the operator should know (a
	// corrupt file moved aside); "" normally.
	Notice string
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB is the handle, for this package's tests and benchmarks.
func (s *Store) DB() *sql.DB { return s.db }

func dsn(path string, o Options, readonly bool) string {
	bt := o.BusyTimeout
	if bt <= 0 {
		bt = 5 * time.Second
	}
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", bt.Milliseconds()),
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
	}
	if readonly {
		// A small page cache: readers are short-lived listings that read
		// each page once, and every cached page is memory faulted in.
		q = append(q, "mode=ro", "_pragma=cache_size(-256)")
	} else {
		// A writer takes the write lock at BEGIN: no deadlock between two
		// read-then-write transactions, busy_timeout covers the wait.
		q = append(q, "_txlock=immediate", "_pragma=journal_mode(WAL)")
	}
	return "file:" + path + "?" + strings.Join(q, "&")
}

// OpenWriter opens (creating when missing) the database for writing,
// migrates it forward, and moves a corrupt file aside to start a new one
// (Notice says so).
func OpenWriter(ctx context.Context, path string, o Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, classify(fmt.Errorf("history database folder: %w", err))
	}
	s, err := openWriter(ctx, path, o)
	if err == nil || !IsCorrupt(err) {
		return s, classify(err)
	}
	cause := err
	aside, merr := moveAside(path, time.Now())
	if merr != nil {
		return nil, fmt.Errorf("history database %s is corrupt (%v) and could not be moved aside: %w", path, err, merr)
	}
	s, err = openWriter(ctx, path, o)
	if err != nil {
		return nil, err
	}
	s.Notice = fmt.Sprintf("history database %s was corrupt (%v): moved aside to %s, a new one was started", path, cause, aside)
	return s, nil
}

func openWriter(ctx context.Context, path string, o Options) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path, o, false))
	if err != nil {
		return nil, err
	}
	// One connection: the one writer of this process, serialised here
	// rather than by SQLite's lock.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path, writer: true}
	if err := s.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, classify(err)
	}
	return s, nil
}

// OpenReader opens an existing database read-only; ErrNoDatabase when there
// is none yet.
func OpenReader(ctx context.Context, path string, o Options) (*Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoDatabase
	}
	db, err := sql.Open("sqlite", dsn(path, o, true))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path}
	// No quick_check here: it reads the whole file, and readers are the
	// quick listings; reading the header finds a file that is no database,
	// the writer's check on open the rest.
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		if IsCorrupt(err) {
			return nil, fmt.Errorf("history database %s is corrupt (%v): `richsops watch` moves it aside and starts a new one", path, err)
		}
		return nil, classify(err)
	}
	if v == 0 {
		db.Close()
		return nil, ErrNoDatabase
	}
	if v > len(migrations) {
		db.Close()
		return nil, fmt.Errorf("history database %s has schema %d, newer than this richsops (%d): upgrade richsops", path, v, len(migrations))
	}
	return s, nil
}

// check reads the header and runs a quick check: a file that is not a
// database, or a damaged one, is found here rather than on a later write.
func (s *Store) check(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return corruptError{msg: res}
	}
	return nil
}

type corruptError struct{ msg string }

func (e corruptError) Error() string { return "database disk image is malformed: " + e.msg }

// IsCorrupt says whether err means the file is not a (sound) SQLite database.
func IsCorrupt(err error) bool {
	var c corruptError
	if errors.As(err, &c) {
		return true
	}
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_NOTADB || code == sqlite3.SQLITE_CORRUPT
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// IsBusy says whether err is a lock that outlasted busy_timeout.
func IsBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// classify turns a full disk into ErrFull (keeping the cause).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if sqliteCode(err) == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w (%v)", ErrFull, err)
	}
	return err
}

// moveAside renames the database and its WAL and shared-memory files to
// PATH.corrupt-TIME*, keeping them for a post-mortem.
func moveAside(path string, now time.Time) (string, error) {
	aside := fmt.Sprintf("%s.corrupt-%s", path, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	for _, sfx := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+sfx, aside+sfx); err != nil && !errors.Is(err, os.ErrNotExist) {
			return aside, err
		}
	}
	return aside, nil
}

// write runs fn in one write transaction, classifying a full disk.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !s.writer {
		return errors.New("history database opened read-only")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return classify(err)
	}
	return classify(tx.Commit())
}
