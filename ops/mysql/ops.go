package mysql

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// DB is the configured database server: SQL through Client, files and
// commands through Host (the DB server's host).
type DB struct {
	Cfg    config.Database
	Host   host.Host
	Client *Client
	// RestartTimeout bounds one run of the restart command (default 2 min).
	RestartTimeout time.Duration
	// StartWait is how long to wait for the server to answer after a restart
	// (default 60 s).
	StartWait time.Duration
	Now       func() time.Time
	// T translates the texts of its actions (a Config's T; nil = English).
	T func(en, ja string) string `json:"-"`
	// LastBackup tells a purge the last verified backup's binary-log
	// position (ops/backup's ForPurge). nil: unknown, and every purge asks
	// for the typed word.
	LastBackup func(ctx context.Context) (Backups, error) `json:"-"`
}

func (d *DB) t(en, ja string) string { return config.Tr(d.T, en, ja) }

// New builds a DB from the config. h is the DB host.
func New(cfg config.Database, h host.Host) (*DB, error) {
	cl, err := NewClient(cfg.DSN, cfg.Timeout.Duration)
	if err != nil {
		return nil, err
	}
	return &DB{Cfg: cfg, Host: h, Client: cl, RestartTimeout: 2 * time.Minute, StartWait: time.Minute, Now: time.Now}, nil
}

// Close releases the SQL pool.
func (d *DB) Close() error { return d.Client.Close() }

// Status is everything the Database tab shows.
type Status struct {
	At        time.Time `json:"at"`
	Server    *Server   `json:"server,omitempty"`
	ServerErr string    `json:"server_error,omitempty"`
	// Answers is true when the server answered the status statements in
	// time, if only with an error reply (a wrong password, too many
	// connections): it is up, whatever ServerErr says.
	Answers bool            `json:"server_answers"`
	Datadir string          `json:"datadir"`
	Disk    *host.DiskUsage `json:"disk,omitempty"`
	DiskErr string          `json:"disk_error,omitempty"`
	// Binlogs are the server's list, or, when it does not answer, the
	// files named in the index file with their sizes on disk.
	Binlogs     []Binlog `json:"binlogs"`
	BinlogTotal int64    `json:"binlogs_total"`
	BinlogShare float64  `json:"binlogs_share_percent"` // of the filesystem's size
	IndexFile   string   `json:"index_file,omitempty"`
	// IndexRefused says which index entries lead outside the datadir, or to
	// a link or a non-regular file: they are never listed or acted on.
	IndexRefused []string     `json:"index_refused"`
	CnfPath      string       `json:"my_cnf"`
	CnfFiles     []string     `json:"my_cnf_files,omitempty"`
	CnfExpiry    []CnfSetting `json:"my_cnf_expiry"`
	CnfMissing   []string     `json:"my_cnf_missing,omitempty"`
	CnfErr       string       `json:"my_cnf_error,omitempty"`
	Threshold    float64      `json:"disk_full_percent"`
	// Emergency is true when the disk is at or above the threshold and the
	// server cannot serve (no connection, or its statements time out): the
	// only time the file-level path is offered.
	Emergency bool `json:"emergency"`
}

// DiskPercent is the datadir filesystem's use, or -1 when unknown.
func (s *Status) DiskPercent() float64 {
	if s.Disk == nil {
		return -1
	}
	return s.Disk.Percent()
}

// Status gathers server, disk and my.cnf. It never fails as a whole: each
// part carries its own error. Bounded by the client timeout per statement.
func (d *DB) Status(ctx context.Context) *Status {
	s := &Status{At: d.now(), Datadir: d.Cfg.Datadir, CnfPath: d.Cfg.MyCnf, Threshold: d.Cfg.DiskFullPercent}
	srv, err := d.Client.ServerStatus(ctx)
	s.Answers = !cannotServe(err)
	if err != nil {
		s.ServerErr = err.Error()
	} else {
		s.Server = srv
		if srv.Datadir != "" && s.Datadir == "" {
			s.Datadir = srv.Datadir
		}
	}
	if du, err := d.Host.Disk(ctx, s.Datadir); err != nil {
		s.DiskErr = err.Error()
	} else {
		s.Disk = &du
	}
	cnf, err := ReadCnf(ctx, d.Host, d.Cfg.MyCnf)
	if err != nil {
		s.CnfErr = err.Error()
	} else {
		s.CnfExpiry = cnf.ExpirySettings()
		s.CnfMissing = cnf.Missing
		for _, f := range cnf.Files {
			s.CnfFiles = append(s.CnfFiles, f.Path)
		}
	}
	if srv != nil {
		s.Binlogs, s.BinlogTotal, s.IndexFile = srv.Binlogs, srv.Total, srv.BinlogIdx
	}
	// The index is checked even while the server answers: its entries are
	// what the server's purge and the emergency path remove.
	if srv == nil || srv.LogBin {
		if idx, err := d.indexPath(ctx, cnf, srv); err == nil {
			s.IndexFile = idx
			s.listIndex(ctx, d, idx, srv == nil)
		}
	}
	// Empty lists, not null, in --json.
	if s.Binlogs == nil {
		s.Binlogs = []Binlog{}
	}
	if s.CnfExpiry == nil {
		s.CnfExpiry = []CnfSetting{}
	}
	if s.IndexRefused == nil {
		s.IndexRefused = []string{}
	}
	if s.Disk != nil && s.Disk.Total > 0 {
		s.BinlogShare = float64(s.BinlogTotal) * 100 / float64(s.Disk.Total)
	}
	s.Emergency = !s.Answers && s.Disk != nil && s.Disk.Percent() >= d.Cfg.DiskFullPercent
	return s
}

// listIndex records the refused entries of the index and, when the server
// gave no list (list), the others with their sizes on disk.
func (s *Status) listIndex(ctx context.Context, d *DB, idx string, list bool) {
	entries, err := d.checkIndex(ctx, idx)
	if err != nil {
		return
	}
	for i, e := range entries {
		if e.Refused != nil {
			s.IndexRefused = append(s.IndexRefused, e.Refused.Error())
			continue
		}
		if list {
			b := Binlog{Name: e.Name(), Active: i == len(entries)-1, Size: e.Info.Size}
			s.Binlogs = append(s.Binlogs, b)
			s.BinlogTotal += b.Size
		}
	}
}

func (d *DB) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// indexPath finds the binlog index file: the server's log_bin_index, then
// my.cnf's log_bin_index or log_bin (+ ".index"), then the one *.index file
// of the datadir that names binary logs.
func (d *DB) indexPath(ctx context.Context, cnf *Cnf, srv *Server) (string, error) {
	if srv != nil && srv.BinlogIdx != "" {
		return d.abs(srv.BinlogIdx), nil
	}
	if cnf != nil {
		if s, ok := cnf.ServerValue("log_bin_index"); ok && s.Value != "" {
			return d.abs(withSuffix(s.Value, ".index")), nil
		}
		if s, ok := cnf.ServerValue("log_bin"); ok && s.Value != "" && s.Value != "1" && !strings.EqualFold(s.Value, "on") {
			base := strings.TrimSuffix(s.Value, path.Ext(s.Value))
			if !isBinlogExt(path.Ext(s.Value)) {
				base = s.Value
			}
			return d.abs(base + ".index"), nil
		}
	}
	entries, err := d.Host.ReadDir(ctx, d.Cfg.Datadir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range entries {
		if e.IsDir || !strings.HasSuffix(e.Name, ".index") {
			continue
		}
		p := path.Join(d.Cfg.Datadir, e.Name)
		if names, err := d.readIndex(ctx, p); err == nil && len(names) > 0 && isBinlogExt(path.Ext(names[0])) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return "", config.Errorf(d.T, "cannot tell the binary log index file in %s (found %d candidates); set log_bin_index in my.cnf",
			"%s のバイナリログのインデックスファイルを特定できません（候補 %d 個）。my.cnf に log_bin_index を設定してください", d.Cfg.Datadir, len(found))
	}
	return found[0], nil
}

func withSuffix(p, suf string) string {
	if path.Ext(p) == "" {
		return p + suf
	}
	return p
}

// isBinlogExt: binary logs end in .NNNNNN.
func isBinlogExt(ext string) bool {
	if len(ext) < 2 {
		return false
	}
	for _, c := range ext[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (d *DB) abs(p string) string {
	if path.IsAbs(p) {
		return p
	}
	return path.Join(d.Cfg.Datadir, p)
}

// binlogPath resolves an index entry ("./mysql-bin.000001" or absolute):
// relative entries are relative to the datadir, as the server reads them.
func (d *DB) binlogPath(entry string) string {
	if path.IsAbs(entry) {
		return entry
	}
	return path.Join(d.Cfg.Datadir, entry)
}

// readIndex returns the index file's entries, oldest first.
func (d *DB) readIndex(ctx context.Context, index string) ([]string, error) {
	data, err := d.Host.ReadFile(ctx, index)
	if err != nil {
		return nil, err
	}
	return parseIndex(data), nil
}

func parseIndex(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// errServerAnswers refuses the file-level path while SQL works.
var errServerAnswers = errors.New("the server answers: use purge, not the emergency path")

// FromConfig builds the DB of cfg on its configured host.
func FromConfig(cfg *config.Config, hosts *host.Registry) (*DB, error) {
	h, err := hosts.Get(cfg.Database.Host)
	if err != nil {
		return nil, fmt.Errorf("database host: %w", err)
	}
	d, err := New(cfg.Database, h)
	if err != nil {
		return nil, err
	}
	d.T = cfg.T
	return d, nil
}
