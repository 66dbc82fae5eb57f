package mysql

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

// Binlog is one binary log as SHOW BINARY LOGS lists it.
type Binlog struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Active bool   `json:"active,omitempty"`
}

// Expiry is the binary log expiry in force on the server.
//
// MariaDB < 10.6 has only expire_logs_days; MariaDB 10.6+ has both, as
// aliases of one setting; MySQL 8.0 has both, binlog_expire_logs_seconds
// winning when non-zero; MySQL 8.4 has only binlog_expire_logs_seconds.
type Expiry struct {
	Days          *float64 `json:"expire_logs_days,omitempty"`           // nil: no such variable
	Seconds       *int64   `json:"binlog_expire_logs_seconds,omitempty"` // nil: no such variable
	EffectiveSecs int64    `json:"effective_seconds"`                    // 0 = never
}

// Effective is the expiry the server applies (0 = never).
func (e Expiry) Effective() time.Duration { return time.Duration(e.EffectiveSecs) * time.Second }

// Server is what the SQL connection says about the server.
type Server struct {
	Version    string        `json:"version"`
	MariaDB    bool          `json:"mariadb"`
	Uptime     time.Duration `json:"uptime_s"`
	LogBin     bool          `json:"log_bin"`
	Datadir    string        `json:"datadir"`
	BinlogBase string        `json:"log_bin_basename,omitempty"`
	BinlogIdx  string        `json:"log_bin_index,omitempty"`
	Expiry     Expiry        `json:"expiry"`
	Binlogs    []Binlog      `json:"binlogs"`
	Active     string        `json:"active"`
	Total      int64         `json:"binlogs_total"`
}

// ServerStatus asks the server. Each statement is bounded by the timeout.
func (c *Client) ServerStatus(ctx context.Context) (*Server, error) {
	s, err := c.serverStatus(ctx)
	return s, c.explain(err)
}

// LogBin says whether the server writes binary logs (what a backup asks
// before it adds --master-data, which a server without them refuses).
func (c *Client) LogBin(ctx context.Context) (bool, error) {
	_, rows, err := c.rows(ctx, "SELECT @@log_bin")
	if err != nil {
		return false, c.explain(err)
	}
	return len(rows) == 1 && (rows[0][0] == "1" || strings.EqualFold(rows[0][0], "ON")), nil
}

// explain says what a timeout means: the server did not answer in time.
func (c *Client) explain(err error) error {
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrInvalidConn) || isTimeout(err)) {
		return fmt.Errorf("no answer within %s (%w)", c.Timeout, err)
	}
	return err
}

// cannotServe says whether err shows a server that cannot serve: no
// connection (refused, no socket), a connection lost, or no answer within
// the timeout. Any other error, an error reply above all (1045 access
// denied, 1040 too many connections, any MySQL error packet), comes from a
// server that is up.
func cannotServe(err error) bool {
	if err == nil {
		return false
	}
	var reply *driver.MySQLError
	if errors.As(err, &reply) {
		return false
	}
	var ne net.Error // dial errors (refused, no socket) and timeouts
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrInvalidConn) ||
		errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// serves is the emergency path's test: SHOW BINARY LOGS under the timeout.
// Not a ping: on a full disk the server answers a ping and SELECT 1 while
// the binary log writer waits for space holding the log's lock, and every
// statement on the logs (purge too) hangs.
func (c *Client) serves(ctx context.Context) error {
	_, _, err := c.rows(ctx, "SHOW BINARY LOGS")
	return c.explain(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Client) serverStatus(ctx context.Context) (*Server, error) {
	s := &Server{Binlogs: []Binlog{}}
	_, rows, err := c.rows(ctx, "SELECT VERSION(), @@version_comment")
	if err != nil {
		return nil, err
	}
	if len(rows) == 1 {
		s.Version = rows[0][0]
		s.MariaDB = strings.Contains(strings.ToLower(rows[0][0]+rows[0][1]), "mariadb")
	}
	_, rows, err = c.rows(ctx, "SHOW GLOBAL STATUS LIKE 'Uptime'")
	if err != nil {
		return nil, err
	}
	if len(rows) == 1 {
		n, _ := strconv.ParseInt(rows[0][1], 10, 64)
		s.Uptime = time.Duration(n) * time.Second
	}
	_, rows, err = c.rows(ctx, `SHOW GLOBAL VARIABLES WHERE Variable_name IN
		('log_bin','datadir','log_bin_basename','log_bin_index','expire_logs_days','binlog_expire_logs_seconds')`)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, r := range rows {
		vars[strings.ToLower(r[0])] = r[1]
	}
	s.LogBin = strings.EqualFold(vars["log_bin"], "ON") || vars["log_bin"] == "1"
	s.Datadir = vars["datadir"]
	s.BinlogBase = vars["log_bin_basename"]
	s.BinlogIdx = vars["log_bin_index"]
	s.Expiry = expiryFrom(vars, s.MariaDB)
	if !s.LogBin {
		return s, nil
	}
	cols, rows, err := c.rows(ctx, "SHOW BINARY LOGS")
	if err != nil {
		return nil, err
	}
	s.Binlogs, err = parseBinlogs(cols, rows)
	if err != nil {
		return nil, err
	}
	s.Active = c.activeLog(ctx, s.Binlogs)
	for i := range s.Binlogs {
		s.Binlogs[i].Active = s.Binlogs[i].Name == s.Active
		s.Total += s.Binlogs[i].Size
	}
	return s, nil
}

// activeLog asks SHOW MASTER STATUS (SHOW BINARY LOG STATUS on MySQL 8.4);
// the last listed log is the active one when neither answers.
func (c *Client) activeLog(ctx context.Context, logs []Binlog) string {
	for _, q := range []string{"SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"} {
		_, rows, err := c.rows(ctx, q)
		if err == nil && len(rows) > 0 && rows[0][0] != "" {
			return rows[0][0]
		}
	}
	if len(logs) > 0 {
		return logs[len(logs)-1].Name
	}
	return ""
}

func parseBinlogs(cols []string, rows [][]string) ([]Binlog, error) {
	name, size := -1, -1
	for i, c := range cols {
		switch strings.ToLower(c) {
		case "log_name":
			name = i
		case "file_size":
			size = i
		}
	}
	if name < 0 || size < 0 {
		return nil, fmt.Errorf("SHOW BINARY LOGS: unexpected columns %v", cols)
	}
	out := make([]Binlog, 0, len(rows))
	for _, r := range rows {
		n, err := strconv.ParseInt(r[size], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("SHOW BINARY LOGS: size %q: %w", r[size], err)
		}
		out = append(out, Binlog{Name: r[name], Size: n})
	}
	return out, nil
}

func expiryFrom(vars map[string]string, mariadb bool) Expiry {
	var e Expiry
	if v, ok := vars["expire_logs_days"]; ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			e.Days = &f
		}
	}
	if v, ok := vars["binlog_expire_logs_seconds"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			e.Seconds = &n
		}
	}
	switch {
	case e.Seconds != nil && (mariadb || *e.Seconds != 0 || e.Days == nil):
		// MariaDB 10.6+: aliases, the seconds are exact. MySQL 8: seconds win when set.
		e.EffectiveSecs = *e.Seconds
	case e.Days != nil:
		e.EffectiveSecs = int64(*e.Days * 86400)
	}
	return e
}

// UsesSeconds says which variable SetExpiry sets for this server.
func (e Expiry) UsesSeconds() bool { return e.Seconds != nil }

// ErrNoBinlog is returned by binlog actions on a server without --log-bin.
var ErrNoBinlog = errors.New("binary logging is off on this server")
