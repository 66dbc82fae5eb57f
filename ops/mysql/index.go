package mysql

import (
	"context"
	"errors"
	"path"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// indexEntry is one line of the binary log index, checked: the index is
// written by another user (mysql), so a line is only a name of a regular
// file directly inside the datadir, or it is refused and never acted on.
type indexEntry struct {
	Entry   string        // the line as written
	File    string        // where it resolves
	Info    host.FileInfo // Lstat of File (zero when StatErr)
	StatErr error         // the file could not be read (missing, ...)
	Refused error         // outside the datadir, a symbolic link, not a regular file
}

// Name is the log's name as SHOW BINARY LOGS gives it.
func (e indexEntry) Name() string { return path.Base(e.File) }

// errNotInDatadir is wrapped by an entry's refusal.
var errNotInDatadir = errors.New("not a regular file directly inside the datadir")

// datadir is the configured datadir, cleaned: the root of every file step.
func (d *DB) datadir() string { return path.Clean(d.Cfg.Datadir) }

// checkEntry resolves one index line as the server does (relative lines
// are relative to the datadir) and refuses what would lead elsewhere.
func (d *DB) checkEntry(ctx context.Context, entry string) indexEntry {
	e := indexEntry{Entry: entry, File: path.Clean(d.binlogPath(entry))}
	if path.Dir(e.File) != d.datadir() {
		e.Refused = config.Errorf(d.T, "index entry %q resolves to %s, outside %s: %w", "インデックスの %q は %s を指し、%s の外です: %w", entry, e.File, d.datadir(), errNotInDatadir)
		return e
	}
	e.Info, e.StatErr = d.Host.Stat(ctx, e.File)
	switch {
	case e.StatErr != nil:
	case !e.Info.Mode.IsRegular():
		e.Refused = config.Errorf(d.T, "index entry %q: %s is a symbolic link or not a regular file: %w", "インデックスの %q: %s はシンボリックリンクか通常のファイルではありません: %w", entry, e.File, errNotInDatadir)
	}
	return e
}

// checkIndex reads the index file and checks every entry, oldest first.
func (d *DB) checkIndex(ctx context.Context, index string) ([]indexEntry, error) {
	names, err := d.readIndex(ctx, index)
	if err != nil {
		return nil, err
	}
	out := make([]indexEntry, len(names))
	for i, n := range names {
		out[i] = d.checkEntry(ctx, n)
	}
	return out, nil
}
