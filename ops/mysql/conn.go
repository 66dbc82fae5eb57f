// Package mysql reads and changes the MariaDB/MySQL server whose binary logs
// fill its small disk: status (version, uptime, binary logs, expiry, the
// datadir's disk), expiry at runtime and in my.cnf, purge, and the runbook's
// emergency path when the server no longer answers and the disk is full.
//
// SQL goes over github.com/go-sql-driver/mysql with connect, read and write
// timeouts, so a hung server gives an error instead of a hang. Every file and
// command step goes through a host.Host, so the same code runs on the DB
// server over SSH.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

func init() {
	// The driver logs connection errors to stderr by itself; in the TUI that
	// would scribble over the screen. Every error reaches the caller anyway.
	_ = driver.SetLogger(log.New(io.Discard, "", 0))
}

// DefaultTimeout bounds connect, read and write when the caller gives none.
const DefaultTimeout = 5 * time.Second

// Open returns a pool for dsn whose connect, read and write timeouts are
// timeout unless the DSN sets its own. No connection is made yet.
func Open(dsn string, timeout time.Duration) (*sql.DB, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c, err := driver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("database dsn: %w", err)
	}
	if c.Timeout == 0 {
		c.Timeout = timeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = timeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = timeout
	}
	conn, err := driver.NewConnector(c)
	if err != nil {
		return nil, fmt.Errorf("database dsn: %w", err)
	}
	db := sql.OpenDB(conn)
	// Few, short-lived connections: a console, not an application.
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// Client talks to one server. Every call is bounded by Timeout, even when the
// server accepts the connection and then never answers.
type Client struct {
	DB      *sql.DB
	Timeout time.Duration
}

// NewClient opens a Client for dsn.
func NewClient(dsn string, timeout time.Duration) (*Client, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	db, err := Open(dsn, timeout)
	if err != nil {
		return nil, err
	}
	return &Client{DB: db, Timeout: timeout}, nil
}

// Close releases the pool.
func (c *Client) Close() error { return c.DB.Close() }

// ctx bounds one call: the caller's context, and at most Timeout per call
// (a status is several statements; each gets its own budget via withTimeout).
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.Timeout)
}

// exec runs one statement on its own deadline.
func (c *Client) exec(ctx context.Context, q string, args ...any) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.DB.ExecContext(ctx, q, args...)
	return err
}

// rows runs a query and returns every row as strings (NULL = ""), with the
// column names. Small results only (status queries).
func (c *Client) rows(ctx context.Context, q string, args ...any) ([]string, [][]string, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	r, err := c.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return cols, out, r.Err()
}
