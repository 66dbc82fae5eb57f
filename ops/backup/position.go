package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
)

// Position is where in the server's binary logs a dump was taken, from the
// dump's own header (mysqldump --master-data=2, MariaDB's --gtid): a
// point-in-time recovery from the backup replays the logs from there.
type Position struct {
	File string `json:"file"`
	Pos  int64  `json:"pos"`
	GTID string `json:"gtid,omitempty"`
}

// String is "mysql-bin.000119:4567".
func (p Position) String() string { return p.File + ":" + strconv.FormatInt(p.Pos, 10) }

// Meta is what richsops records beside a finished backup, in NAME + MetaSuffix.
type Meta struct {
	Backup   string    `json:"backup"` // the backup file's name in its folder
	At       time.Time `json:"at"`     // when the dump started
	Verified bool      `json:"verified"`
	// Binlog is nil when the dump recorded no position (binary logging off
	// on the server, or a dump command richsops could not ask for one).
	Binlog    *Position `json:"binlog"`
	DumpBytes int64     `json:"dump_bytes"`
	FileBytes int64     `json:"file_bytes"`
}

// MetaSuffix names a backup's metadata: db-20260102-030405.sql.gz.json.
const MetaSuffix = ".json"

// positionOpts are the dump options that put this server's position in
// the header; one of them in [backup] dump means the operator asked for it
// already. upstreamOpts put the position of the server it replicates from
// (a replica's dump): not a position in this server's logs, never recorded.
var (
	positionOpts = []string{"--master-data", "--source-data"}
	upstreamOpts = []string{"--dump-slave", "--dump-replica"}
)

// MasterData is the option richsops adds when the server logs: the
// position as a comment, so a restore does not run it.
const MasterData = "--master-data=2"

// The header lines that carry the position, commented (=2) or not (=1);
// MySQL 8.0.23 and later write the REPLICATION SOURCE form.
var (
	posLine  = regexp.MustCompile(`^(?:-- )?CHANGE (?:MASTER|REPLICATION SOURCE) TO (?:MASTER|SOURCE)_LOG_FILE='([^']+)', (?:MASTER|SOURCE)_LOG_POS=([0-9]+)`)
	gtidLine = regexp.MustCompile(`^(?:-- )?SET GLOBAL gtid_(?:slave|replica)_pos='([^']*)'`)
)

// logName is what a binary log's name can be (the server's basename and
// a number); anything else in the metadata is not a position.
var logName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// headMax bounds how much of the dump is searched: the position comes
// before the first table.
const headMax = 64 << 10

// headScan finds the position in the dump's first lines as they pass on
// their way to the file (no second read); after headMax bytes or the first
// statement that is not part of the header it only counts.
type headScan struct {
	buf  []byte
	seen int
	done bool
	pos  *Position
	gtid string
}

func (h *headScan) Write(p []byte) (int, error) {
	if h.done {
		return len(p), nil
	}
	h.seen += len(p)
	h.buf = append(h.buf, p[:min(len(p), headMax-len(h.buf))]...)
	for !h.done {
		i := bytes.IndexByte(h.buf, '\n')
		if i < 0 {
			break
		}
		h.line(h.buf[:i])
		h.buf = h.buf[i+1:]
	}
	if h.seen >= headMax {
		h.done = true
	}
	if h.done {
		h.buf = nil
	}
	return len(p), nil
}

func (h *headScan) line(l []byte) {
	if m := posLine.FindSubmatch(l); m != nil {
		n, err := strconv.ParseInt(string(m[2]), 10, 64)
		if err == nil {
			h.pos = &Position{File: string(m[1]), Pos: n}
		}
		return
	}
	if m := gtidLine.FindSubmatch(l); m != nil {
		h.gtid = string(m[1])
		return
	}
	for _, stop := range []string{"CREATE ", "USE ", "INSERT ", "DROP "} {
		if bytes.HasPrefix(l, []byte(stop)) {
			h.done = true
		}
	}
}

// position is what the header said (nil: no position in it).
func (h *headScan) position() *Position {
	if h.pos == nil {
		return nil
	}
	p := *h.pos
	p.GTID = h.gtid
	return &p
}

// writeMeta writes m beside its backup atomically (a temp file in the
// folder, fsync, rename): a crash leaves the old state or the new one,
// never half a file.
func writeMeta(dir string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return host.WriteFileAtomic(filepath.Join(dir, m.Backup+MetaSuffix), append(b, '\n'), 0o640)
}

// removeMeta removes the metadata of the backups rotation removed (a
// missing one is fine: a backup from before positions were recorded).
func removeMeta(removed []string) {
	for _, p := range removed {
		_ = os.Remove(p + MetaSuffix) // one left behind names a file that is gone: harmless
	}
}

// Last is the newest verified backup that recorded a binary-log position.
type Last struct {
	Meta *Meta // nil: none
	// Notes say why newer backups were passed over or why there is none
	// (no backups, no position, metadata missing or unreadable), already
	// sanitized and in the backup's language.
	Notes []string
}

// maxMeta bounds the metadata read: ours is a few hundred bytes.
const maxMeta = 64 << 10

// LastVerified reads the backup folder and its metadata through b.Host
// (the machine the backups are on, whatever host the database is on).
// Metadata missing, corrupt, unverified or without a position is passed
// over with a note: it never counts as a verified position. An error is a
// folder that could not be read (not the same as no backup).
func (b *Backup) LastVerified(ctx context.Context) (Last, error) {
	var l Last
	dir := b.Cfg.Dir
	if dir == "" {
		l.Notes = append(l.Notes, b.t("no backup folder configured ([backup] dir)", "バックアップの保存先が設定されていません（[backup] dir）"))
		return l, nil
	}
	infos, err := b.Host.ReadDir(ctx, dir)
	if errors.Is(err, os.ErrNotExist) {
		infos, err = nil, nil
	}
	if err != nil {
		return l, config.Errorf(b.T, "reading the backup folder: %w", "バックアップの保存先を読めません: %w", err)
	}
	var done []entry
	for _, fi := range infos {
		e, ok := parseName(fi.Name)
		if ok && !e.Partial && fi.Mode.IsRegular() {
			done = append(done, e)
		}
	}
	if len(done) == 0 {
		l.Notes = append(l.Notes, fmt.Sprintf(b.t("no finished backup in %s", "%s に完了したバックアップがありません"), sanitize.String(dir)))
		return l, nil
	}
	for i := len(done) - 1; i >= 0; i-- {
		name := done[i].Name
		m, why := b.readMeta(ctx, filepath.Join(dir, name))
		if why == "" {
			l.Meta = m
			return l, nil
		}
		l.Notes = append(l.Notes, sanitize.String(name)+": "+why)
	}
	return l, nil
}

// readMeta reads one backup's metadata; why says why it does not count.
func (b *Backup) readMeta(ctx context.Context, backupPath string) (*Meta, string) {
	// A bounded read: a huge file in its place is corrupt, not read whole.
	data, err := b.Host.ReadTail(ctx, backupPath+MetaSuffix, maxMeta+1)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, b.t("no metadata (taken before positions were recorded, or by hand)", "メタデータがありません（位置の記録より前か、手動のバックアップ）")
	case err != nil:
		return nil, b.t("metadata unreadable: ", "メタデータを読めません: ") + sanitize.String(err.Error())
	}
	m, why := decodeMeta(b.T, data, filepath.Base(backupPath))
	switch {
	case why != "":
		return nil, why
	case !m.Verified:
		return nil, b.t("not verified", "検証されていません")
	case m.Binlog == nil:
		return nil, b.t("no binary-log position recorded (binary logging off when it was taken)", "バイナリログの位置が記録されていません（取得時にバイナリログが無効）")
	}
	return m, ""
}

// decodeMeta parses the metadata of the backup named name; why (in t's
// language, sanitized) says how it is corrupt.
func decodeMeta(t func(en, ja string) string, data []byte, name string) (*Meta, string) {
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	if len(data) > maxMeta {
		return nil, tr("metadata corrupt: too large", "メタデータが壊れています: 大きすぎます")
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, tr("metadata corrupt: ", "メタデータが壊れています: ") + sanitize.String(err.Error())
	}
	switch {
	case m.Backup != name:
		return nil, tr("metadata corrupt: it names another backup", "メタデータが壊れています: 別のバックアップを指しています")
	case m.Binlog == nil:
	case m.Binlog.File == "" || m.Binlog.Pos < 0:
		return nil, tr("metadata corrupt: empty binary-log position", "メタデータが壊れています: バイナリログの位置が空です")
	case !logName.MatchString(m.Binlog.File):
		return nil, tr("metadata corrupt: binary-log file name with unexpected characters", "メタデータが壊れています: バイナリログのファイル名に想定外の文字があります")
	}
	return &m, ""
}

// listMeta fills each finished backup's position from its metadata (read
// with the os package, as List reads the folder).
func listMeta(dir string, files []File) {
	for i := range files {
		f := &files[i]
		if !f.Verified {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, f.Name+MetaSuffix))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			f.MetaErr = sanitize.String(err.Error())
			continue
		}
		m, why := decodeMeta(nil, data, f.Name)
		if why != "" {
			f.MetaErr = why
			continue
		}
		f.Binlog = m.Binlog
	}
}

// ForPurge is LastVerified as a purge preview takes it (mysql.DB.LastBackup).
func (b *Backup) ForPurge(ctx context.Context) (mysql.Backups, error) {
	l, err := b.LastVerified(ctx)
	out := mysql.Backups{Notes: l.Notes}
	if m := l.Meta; m != nil {
		out.Last = &mysql.BackupPoint{Name: m.Backup, At: m.At, File: m.Binlog.File, Pos: m.Binlog.Pos}
	}
	return out, err
}
