// Package backup takes the database backup on the application server:
// the configured mysqldump/mariadb-dump argv, streamed through parallel gzip
// (github.com/klauspost/pgzip) into the backup folder, with progress, a
// free-space check first, and a file that never looks complete unless it is:
// it is written as NAME.partial and renamed only after the dump exited 0,
// the gzip stream closed, and a read-back verified it.
//
// The dump connects to the server [database] dsn names (conn.go): the
// password goes through an unlinked 0600 option file, never argv. Backups
// into one folder run one at a time under a lock on the folder; names never
// collide and rotation touches only its own pattern, oldest by the time in
// the name, never the backup just written (files.go).
//
// The dump command runs through a host.Host (the local one: the option file
// is read by the dump through this process's /proc/PID/fd); the file is
// written with the os package because the backup folder is on the machine
// richsops runs on (the DB server has no room, runbook procedure 8).
package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/pgzip"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
)

// Prefix and Suffix name the backup files: db-20260102-030405.sql.gz.
const (
	Prefix  = "db-"
	Suffix  = ".sql.gz"
	Partial = ".partial"
)

// Progress is reported while the dump runs.
type Progress struct {
	DumpBytes int64         // uncompressed bytes the dump wrote so far
	FileBytes int64         // compressed bytes written to the file so far
	Elapsed   time.Duration // since the dump started
	Expected  int64         // the newest previous backup's file size (0 = unknown)
	Done      bool
}

// Rate is the dump's throughput in bytes per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.DumpBytes) / p.Elapsed.Seconds()
}

// MinEstimate is the smallest previous backup an estimate is made from: a
// smaller one (an empty database, a failed dump kept by hand) says nothing
// about the size of this one.
const MinEstimate = 1 << 20

// Fraction estimates how far along the backup is from the previous one's
// size; -1 when unknown: no previous backup of at least MinEstimate, or this
// one already larger (the estimate was wrong). Never 1 before Done.
func (p Progress) Fraction() float64 {
	if p.Done {
		return 1
	}
	if p.Expected < MinEstimate || p.FileBytes > p.Expected {
		return -1
	}
	return min(float64(p.FileBytes)/float64(p.Expected), 0.99)
}

// Plan is one backup about to run.
type Plan struct {
	Dir      string
	Path     string   // the final name (a "-N" is added when it is taken by then)
	Dump     []string // [backup] dump as configured
	Argv     []string // what runs: Dump with the connection's options (password file as SecretPlaceholder)
	Conn     Conn     // the server dumped
	Level    int
	Keep     int
	Free     uint64 // free bytes in Dir now (or in its nearest existing parent)
	MinFree  int64
	Expected int64 // newest previous backup's size
	Previous []string
	Removes  []string // the backups rotation will remove after this one
	Stale    []string // partial files the backup removes first (left by a crash)
	// MasterData: richsops adds --master-data=2 (the server logs, and the
	// dump is of the DSN's server); OwnPosition: [backup] dump asks for the
	// position itself. Either way the header's position is recorded.
	MasterData  bool
	OwnPosition bool
	// Upstream: [backup] dump has --dump-slave, whose header position is
	// in the logs of the server this one replicates from: none is recorded.
	Upstream bool
}

// dumpArgv is the configured dump with the position option when added.
func (p Plan) dumpArgv() []string {
	if !p.MasterData {
		return p.Dump
	}
	return insertOpt(p.Dump, MasterData)
}

// Backup runs dumps on Host into Cfg.Dir.
type Backup struct {
	Cfg config.Backup
	// DSN is [database] dsn: the server the dump connects to unless the
	// dump command names its own.
	DSN  string
	Host host.Host // where the dump command runs (the application server)
	Now  func() time.Time
	// Every is the progress interval (default 200 ms).
	Every time.Duration
	// Stall ends the dump when it wrote nothing for this long (default
	// 5 min): a hung server must not hold a backup, and its partial file,
	// forever.
	Stall time.Duration
	// T translates the texts of its action (a Config's T; nil = English).
	T func(en, ja string) string `json:"-"`
	// LogBin asks the DSN's server whether it writes binary logs (nil: a
	// connection of its own to DSN).
	LogBin func(ctx context.Context) (bool, error) `json:"-"`
}

func (b *Backup) t(en, ja string) string { return config.Tr(b.T, en, ja) }

func (b *Backup) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Server is the server the backup dumps, derived from the DSN and the dump
// command.
func (b *Backup) Server() (Conn, error) { return DumpConn(b.DSN, b.Cfg.Dump) }

// Plan checks the folder and the free space and names the file. Free space
// must be at least min_free and 110% of the newest previous backup. It
// creates nothing: the folder is made by the action, so a read-only
// refusal leaves no trace.
func (b *Backup) Plan(ctx context.Context) (Plan, error) {
	p := Plan{Dir: b.Cfg.Dir, Dump: b.Cfg.Dump, Level: b.Cfg.Level, Keep: b.Cfg.Keep}
	if len(p.Dump) == 0 {
		return p, config.Errorf(b.T, "no dump command configured ([backup] dump)", "ダンプコマンドが設定されていません（[backup] dump）")
	}
	if p.Level == 0 {
		p.Level = 6
	}
	if p.Level < 1 || p.Level > 9 {
		return p, config.Errorf(b.T, "gzip level %d: must be 1..9", "gzip レベル %d: 1〜9 にしてください", p.Level)
	}
	var err error
	if p.Conn, err = b.Server(); err != nil {
		return p, err
	}
	secret := ""
	if p.Conn.Password != "" {
		secret = SecretPlaceholder
	}
	if err := b.planPosition(ctx, &p); err != nil {
		return p, err
	}
	p.Argv = p.Conn.DumpArgv(p.dumpArgv(), secret)
	prev, stale, err := listDir(p.Dir)
	if err != nil {
		return p, err
	}
	for _, f := range stale {
		p.Stale = append(p.Stale, f.Name)
	}
	for _, f := range prev {
		p.Previous = append(p.Previous, f.Name)
	}
	if len(prev) > 0 {
		p.Expected = prev[len(prev)-1].Size
	}
	if b.Cfg.MinFree != "" {
		if p.MinFree, err = config.ParseSize(b.Cfg.MinFree); err != nil {
			return p, fmt.Errorf("backup.min_free: %w", err)
		}
	}
	du, err := host.NewLocal().Disk(ctx, existingParent(p.Dir))
	if err != nil {
		return p, err
	}
	p.Free = du.Free
	need := max(p.MinFree, p.Expected+p.Expected/10)
	if int64(du.Free) < need {
		return p, config.Errorf(b.T, "not enough free space in %s: %s free, %s needed (min_free %s, last backup %s)",
			"%s の空きが足りません: 空き %s、必要 %s（min_free %s、前回のバックアップ %s）",
			p.Dir, human.Bytes(int64(du.Free)), human.Bytes(need), human.Bytes(p.MinFree), human.Bytes(p.Expected))
	}
	name := fileName(b.now(), 1)
	p.Path = filepath.Join(p.Dir, name)
	for _, e := range rotation(append(prev, entry{Name: name}), p.Keep, name) {
		p.Removes = append(p.Removes, e.Name)
	}
	return p, nil
}

// planPosition decides whether the dump is asked for its binary-log
// position: only of the DSN's own server, asked first whether it logs (a
// dump with --master-data of a server without binary logs fails).
func (b *Backup) planPosition(ctx context.Context, p *Plan) error {
	if len(setOpts(p.Dump[1:], upstreamOpts)) > 0 {
		p.Upstream = true
		return nil
	}
	if len(setOpts(p.Dump[1:], positionOpts)) > 0 {
		p.OwnPosition = true
		return nil
	}
	if p.Conn.Net == "" { // the dump names its own server: the DSN says nothing about it
		return nil
	}
	on, err := b.logBin(ctx)
	if err != nil {
		return config.Errorf(b.T, "asking the server whether it writes binary logs (for the backup's position): %w",
			"バイナリログが有効かサーバーに確認できません（バックアップの位置の記録のため）: %w", err)
	}
	p.MasterData = on
	return nil
}

func (b *Backup) logBin(ctx context.Context) (bool, error) {
	if b.LogBin != nil {
		return b.LogBin(ctx)
	}
	cl, err := mysql.NewClient(b.DSN, 0)
	if err != nil {
		return false, err
	}
	defer cl.Close()
	return cl.LogBin(ctx)
}

// existingParent is dir or its nearest parent that exists (where a folder
// still to be made takes its space from).
func existingParent(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return dir
		}
		dir = up
	}
}

// Result is a finished backup.
type Result struct {
	Path      string
	DumpBytes int64
	FileBytes int64
	Duration  time.Duration // dump + compress
	Verify    time.Duration
	Removed   []string  // older backups rotated away
	Stale     []string  // partial files of crashed backups removed first
	Binlog    *Position // the position from the dump's header (nil: none in it)
	MetaErr   error     // the metadata could not be written (the backup stands)
}

// counter counts bytes on their way to w.
type counter struct {
	w   io.Writer
	n   int64
	err error // first write error: the cause when the dump then dies of EPIPE
	mu  sync.Mutex
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.mu.Lock()
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	return n, err
}

func (c *counter) firstErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *counter) get() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Run takes the backup described by p. progress, when non-nil, is called
// from another goroutine every b.Every and once at the end; it must not block.
func (b *Backup) Run(ctx context.Context, p Plan, progress func(Progress)) (Result, error) {
	res := Result{Path: p.Path}
	if err := os.MkdirAll(p.Dir, 0o750); err != nil {
		return res, err
	}
	unlock, err := lockBackupDir(p.Dir)
	if errors.Is(err, errBusy) {
		return res, config.Errorf(b.T, "another backup into %s is running", "%s への別のバックアップが実行中です", p.Dir)
	}
	if err != nil {
		return res, err
	}
	defer unlock()
	// With the folder's lock held no other backup runs: a partial file of
	// ours there was left by a crash.
	_, stale, err := listDir(p.Dir)
	if err == nil {
		res.Stale, err = removeBackupFiles(p.Dir, stale)
	}
	if err != nil {
		return res, fmt.Errorf("removing the partial files of an earlier backup: %w", err)
	}
	f, partial, err := createPartial(p.Path)
	if err != nil {
		return res, err
	}
	res.Path = strings.TrimSuffix(partial, Partial)
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	secret, forget, err := p.Conn.secretFile()
	if err != nil {
		return res, fmt.Errorf("the dump's option file: %w", err)
	}
	defer forget()
	argv := p.Conn.DumpArgv(p.dumpArgv(), secret)
	// The file is read back and checked while it is written (each byte
	// after it reached the file): the check overlaps the dump instead of
	// adding a second pass over the whole backup at the end.
	rf, err := os.Open(partial)
	if err != nil {
		return res, err
	}
	grow := newGrowingFile(rf)
	verified := make(chan verifyResult, 1)
	trailer := expectsTrailer(p.Dump)
	go func() {
		n, err := verifyStream(grow, trailer)
		rf.Close()
		verified <- verifyResult{n, err}
	}()
	defer func() {
		if grow.finish(errAborted) {
			<-verified // the backup failed before the check ended: let it go
		}
	}()
	fileCount := &counter{w: notifyWriter{f, grow}}
	gz, err := pgzip.NewWriterLevel(fileCount, p.Level)
	if err != nil {
		return res, err
	}
	if err := gz.SetConcurrency(1<<20, 2*runtime.GOMAXPROCS(0)); err != nil {
		return res, err
	}
	head := &headScan{}
	dumpCount := &counter{w: io.MultiWriter(head, gz)}
	start := time.Now()
	startedAt := b.now()
	stop := make(chan struct{})
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	every := b.Every
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	stall := b.Stall
	if stall <= 0 {
		stall = 5 * time.Minute
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // progress reports and the stall watchdog
		defer wg.Done()
		t := time.NewTicker(min(every, stall))
		defer t.Stop()
		last, lastAt := int64(-1), time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				n := dumpCount.get()
				if n != last {
					last, lastAt = n, now
				} else if now.Sub(lastAt) >= stall {
					cancel(config.Errorf(b.T, "the dump wrote nothing for %s", "ダンプが %s の間、何も書き込みませんでした", stall))
				}
				if progress != nil {
					progress(Progress{DumpBytes: n, FileBytes: fileCount.get(), Elapsed: time.Since(start), Expected: p.Expected})
				}
			}
		}
	}()
	r, runErr := b.runDump(ctx, argv, dumpCount)
	closeErr := gz.Close()
	close(stop)
	wg.Wait()
	res.DumpBytes, res.Duration = dumpCount.get(), time.Since(start)
	if werr := dumpCount.firstErr(); werr != nil {
		return res, fmt.Errorf("writing %s: %w; dump stopped, partial file removed", partial, werr)
	}
	if runErr != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			runErr = cause
		}
		msg := strings.TrimSpace(string(r.Stderr))
		var ee *host.ExitError
		if errors.As(runErr, &ee) {
			return res, config.Errorf(b.T, "dump failed (exit %d), partial file removed:\n%s",
				"ダンプに失敗しました（終了コード %d）。途中のファイルは削除しました:\n%s", ee.Code, msg)
		}
		if msg != "" {
			return res, config.Errorf(b.T, "dump failed: %v, partial file removed:\n%s",
				"ダンプに失敗しました: %v。途中のファイルは削除しました:\n%s", runErr, msg)
		}
		return res, config.Errorf(b.T, "dump failed: %w; partial file removed", "ダンプに失敗しました: %w。途中のファイルは削除しました", runErr)
	}
	if closeErr != nil {
		return res, fmt.Errorf("writing %s: %w; partial file removed", partial, closeErr)
	}
	if err := f.Sync(); err != nil {
		return res, fmt.Errorf("writing %s: %w; partial file removed", partial, err)
	}
	if err := f.Close(); err != nil {
		return res, fmt.Errorf("writing %s: %w; partial file removed", partial, err)
	}
	res.FileBytes = fileCount.get()
	vstart := time.Now()
	grow.finish(nil)
	v := <-verified
	n := v.n
	res.Verify = time.Since(vstart)
	if v.err != nil {
		return res, fmt.Errorf("verify %s: %w; partial file removed", partial, v.err)
	}
	if n != res.DumpBytes {
		return res, fmt.Errorf("verify: %d bytes read back, %d written; partial file removed", n, res.DumpBytes)
	}
	if res.Path, err = publish(partial); err != nil {
		return res, err
	}
	ok = true
	if !p.Upstream {
		res.Binlog = head.position()
	}
	if p.MasterData && res.Binlog == nil {
		res.MetaErr = config.Errorf(b.T, "the dump was asked for its binary-log position but its header has none",
			"ダンプにバイナリログの位置を求めましたが、ヘッダーにありません")
	}
	// The metadata after the rename: a crash between them leaves a backup
	// without a position (a purge then asks for the typed word), never a
	// position without its backup.
	meta := Meta{Backup: filepath.Base(res.Path), At: startedAt, Verified: true, Binlog: res.Binlog, DumpBytes: res.DumpBytes, FileBytes: res.FileBytes}
	if err := writeMeta(p.Dir, meta); err != nil {
		res.MetaErr = err
	}
	if d, err := os.Open(p.Dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	if progress != nil {
		progress(Progress{DumpBytes: res.DumpBytes, FileBytes: res.FileBytes, Elapsed: res.Duration, Expected: p.Expected, Done: true})
	}
	res.Removed, err = Rotate(p.Dir, p.Keep, filepath.Base(res.Path))
	if err != nil {
		return res, config.Errorf(b.T, "backup written, but rotation failed: %w", "バックアップは書き込みましたが、古いバックアップの削除に失敗しました: %w", err)
	}
	return res, nil
}

// createPartial creates path's partial file, or that of the first free
// "-N" name when the name or its partial file is taken: two backups in one
// second never share a name.
func createPartial(path string) (*os.File, string, error) {
	e, ok := parseName(filepath.Base(path))
	if !ok {
		return nil, "", fmt.Errorf("%s: not a backup name", path)
	}
	for seq := e.Seq; ; seq++ {
		final := filepath.Join(filepath.Dir(path), fileName(e.At, seq))
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		f, err := os.OpenFile(final+Partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, final + Partial, err
	}
}

// publish renames the verified partial file to its final name without ever
// replacing a file; a name taken meanwhile gets the next "-N".
func publish(partial string) (string, error) {
	final := strings.TrimSuffix(partial, Partial)
	e, _ := parseName(filepath.Base(final))
	for seq := e.Seq; ; seq++ {
		final = filepath.Join(filepath.Dir(final), fileName(e.At, seq))
		err := renameNoReplace(partial, final)
		if !errors.Is(err, os.ErrExist) {
			return final, err
		}
	}
}

// expectsTrailer: mysqldump ends with "-- Dump completed" unless comments
// are off.
func expectsTrailer(argv []string) bool {
	for _, a := range argv {
		if a == "--skip-comments" || a == "--compact" || a == "--comments=0" || a == "--comments=false" {
			return false
		}
	}
	return true
}

// Trailer is the last comment mysqldump writes after a complete dump.
const Trailer = "-- Dump completed"

// Verify reads a backup back: the gzip stream must be whole (CRC and size
// checked) and, when trailer is set, end with mysqldump's "-- Dump
// completed" line. It returns the uncompressed size.
func Verify(path string, trailer bool) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := verifyStream(f, trailer)
	if err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

func verifyStream(r io.Reader, trailer bool) (int64, error) {
	zr, err := pgzip.NewReader(r)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	tail := &tailBuf{max: 256}
	n, err := io.Copy(tail, zr)
	if err != nil {
		return n, err
	}
	if trailer {
		lines := strings.Split(strings.TrimRight(string(tail.b), "\n"), "\n")
		if !strings.HasPrefix(lines[len(lines)-1], Trailer) {
			return n, fmt.Errorf("the dump does not end with %q (incomplete dump)", Trailer)
		}
	}
	return n, nil
}

type verifyResult struct {
	n   int64
	err error
}

var errAborted = errors.New("backup aborted")

// growingFile reads a file while another goroutine writes it: at the
// current end it waits for more until finish is called.
type growingFile struct {
	f    *os.File
	mu   sync.Mutex
	cond *sync.Cond
	size int64 // bytes written so far
	off  int64 // read position (the reader's own)
	done bool
	err  error // finish's reason: nil = complete
}

func newGrowingFile(f *os.File) *growingFile {
	g := &growingFile{f: f}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *growingFile) wrote(n int) {
	g.mu.Lock()
	g.size += int64(n)
	g.mu.Unlock()
	g.cond.Broadcast()
}

// finish says no more bytes come (err == nil) or the backup failed; it
// reports whether this call ended the stream (false when already ended).
func (g *growingFile) finish(err error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return false
	}
	g.done, g.err = true, err
	g.cond.Broadcast()
	return true
}

func (g *growingFile) Read(p []byte) (int, error) {
	g.mu.Lock()
	for g.off >= g.size && !g.done {
		g.cond.Wait()
	}
	avail, err := g.size-g.off, g.err
	g.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if avail == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > avail {
		p = p[:avail]
	}
	n, err := g.f.ReadAt(p, g.off)
	g.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// notifyWriter writes to the file and tells the reader how far it got.
type notifyWriter struct {
	f *os.File
	g *growingFile
}

func (w notifyWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.g.wrote(n)
	return n, err
}

type tailBuf struct {
	b   []byte
	max int
}

func (t *tailBuf) Write(p []byte) (int, error) {
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		return len(p), nil
	}
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = bytes.Clone(t.b[len(t.b)-t.max:])
	}
	return len(p), nil
}

// Action is the backup as a gate action. progress may be nil.
func (b *Backup) Action(p Plan, progress func(Progress)) gate.Action {
	preview := []string{
		b.t("dumps ", "ダンプするサーバー: ") + sanitize.String(p.Conn.Describe(b.T)),
		host.ShellQuote(p.Argv),
		"  | pgzip -" + fmt.Sprint(p.Level) + " > " + p.Path + Partial,
		b.t("renamed to "+filepath.Base(p.Path)+" only after the dump", "ダンプが終了コード 0 で終わり、ファイルを検証できてから"),
		b.t("  exits 0 and the file verifies", "  "+filepath.Base(p.Path)+" に名前を変更"),
		fmt.Sprintf(b.t("%s free in %s; keeps the newest %d backups", "%[2]s の空き %[1]s。新しいバックアップを %[3]d 個残します"), human.Bytes(int64(p.Free)), p.Dir, p.Keep),
	}
	preview = append(preview, b.positionPreview(p))
	if len(p.Stale) > 0 {
		preview = append(preview, b.t("first removes the partial files of backups that did not finish (unless one still runs: then it refuses): ",
			"先に、終わらなかったバックアップの途中ファイルを削除（実行中のものがあれば中止）: ")+sanitize.String(strings.Join(p.Stale, ", ")))
	}
	if len(p.Removes) > 0 {
		preview = append(preview, b.t("then removes: ", "続けて削除: ")+sanitize.String(strings.Join(p.Removes, ", ")))
	}
	return gate.Action{
		Name: "db.backup", Target: filepath.Base(p.Path), Argv: p.Argv, Preview: preview,
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var out gate.Outcome
			r, err := b.Run(ctx, p, progress)
			if err != nil {
				return out, err
			}
			out.Summary = fmt.Sprintf(b.t("backup %s: %s (dump %s) in %s", "バックアップ %s: %s（ダンプ %s）、%s"),
				filepath.Base(r.Path), human.Bytes(r.FileBytes), human.Bytes(r.DumpBytes), human.DurationT(b.t, r.Duration))
			out.Details = []string{
				fmt.Sprintf(b.t("wrote %s: %s compressed from %s in %s (%s/s)", "%[1]s を書き込みました: %[3]s を %[2]s に圧縮、%[4]s（%[5]s/s）"),
					r.Path, human.Bytes(r.FileBytes), human.Bytes(r.DumpBytes), r.Duration.Round(time.Millisecond), human.Bytes(int64(float64(r.DumpBytes)/max(r.Duration.Seconds(), 0.001)))),
				fmt.Sprintf(b.t("verified while writing (gzip stream whole, dump trailer present), done %s after the last byte",
					"書き込みながら検証（gzip ストリームは完全、ダンプの終端あり）、最後のバイトから %s で完了"), r.Verify.Round(time.Millisecond)),
			}
			if r.Binlog != nil {
				out.Summary += b.t(", at ", "、位置 ") + sanitize.String(r.Binlog.String())
			}
			out.Details = append(out.Details, b.positionOutcome(r)...)
			for _, rm := range r.Stale {
				out.Details = append(out.Details, b.t("removed the partial file of an earlier backup that did not finish: ", "終わらなかった以前のバックアップの途中ファイルを削除: ")+rm)
			}
			for _, rm := range r.Removed {
				out.Details = append(out.Details, b.t("rotated away ", "古いバックアップを削除: ")+rm)
			}
			return out, nil
		},
	}
}

// positionPreview says whether the backup will record its binary-log
// position, and why not.
func (b *Backup) positionPreview(p Plan) string {
	meta := filepath.Base(p.Path) + MetaSuffix
	switch {
	case p.MasterData:
		return fmt.Sprintf(b.t("records its binary-log position in %s (%s: the server writes binary logs)",
			"バイナリログの位置を %s に記録（%s: サーバーはバイナリログを書いています）"), meta, MasterData)
	case p.Upstream:
		return b.t("records no binary-log position: --dump-slave writes the position in the logs of the server this one replicates from",
			"バイナリログの位置は記録しません: --dump-slave が書くのはレプリケーション元のサーバーのログの位置です")
	case p.OwnPosition:
		return fmt.Sprintf(b.t("records the binary-log position [backup] dump asks for in %s", "[backup] dump が求めるバイナリログの位置を %s に記録"), meta)
	case p.Conn.Net == "":
		return fmt.Sprintf(b.t("records no binary-log position: the dump names its own server (add %s to [backup] dump for one)",
			"バイナリログの位置は記録しません: ダンプは独自のサーバーを指定しています（記録するには [backup] dump に %s を追加）"), MasterData)
	}
	return b.t("records no binary-log position: the server writes no binary logs", "バイナリログの位置は記録しません: サーバーはバイナリログを書いていません")
}

// positionOutcome is what the backup recorded beside itself.
func (b *Backup) positionOutcome(r Result) []string {
	meta := filepath.Base(r.Path) + MetaSuffix
	var out []string
	if r.Binlog != nil {
		out = append(out, fmt.Sprintf(b.t("binary-log position %s recorded in %s", "バイナリログの位置 %s を %s に記録"), sanitize.String(r.Binlog.String()), meta))
	} else if r.MetaErr == nil {
		out = append(out, fmt.Sprintf(b.t("no binary-log position in the dump; %s says so", "ダンプにバイナリログの位置はありません（%s に記録）"), meta))
	}
	if r.MetaErr != nil {
		out = append(out, b.t("metadata not recorded: ", "メタデータを記録できません: ")+sanitize.String(r.MetaErr.Error())+
			b.t(" (a purge treats this backup as having no position)", "（purge ではこのバックアップを位置なしとして扱います）"))
	}
	return out
}

// FromConfig is the backup of cfg: the dump runs on the machine richsops
// runs on (the application server).
func FromConfig(cfg *config.Config) *Backup {
	return &Backup{Cfg: cfg.Backup, DSN: cfg.Database.DSN, Host: host.NewLocal(), T: cfg.T}
}

// String is one line: bytes, rate, elapsed, and the estimate.
func (p Progress) String() string {
	s := fmt.Sprintf("dump %s → %s gz, %s/s, %s", human.Bytes(p.DumpBytes), human.Bytes(p.FileBytes),
		human.Bytes(int64(p.Rate())), p.Elapsed.Round(time.Second))
	switch f := p.Fraction(); {
	case p.Done:
	case f >= 0:
		s += fmt.Sprintf(", ~%.0f%% of the last backup's size", f*100)
	case p.Expected >= MinEstimate:
		s += fmt.Sprintf(", larger than the last backup (%s)", human.Bytes(p.Expected))
	}
	return s
}

// runDump runs the dump with its stdout on a pipe of ours, read in 1 MiB
// chunks (a large pipe buffer and few wake-ups: the copy is on the hot path
// of a multi-gigabyte stream). When w fails (disk full) the pipe is closed
// so the dump dies of EPIPE instead of blocking.
func (b *Backup) runDump(ctx context.Context, argv []string, w io.Writer) (host.Result, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return host.Result{Argv: argv, ExitCode: -1}, err
	}
	growPipe(pw)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 1<<20)
		_, _ = io.CopyBuffer(w, pr, buf) // w keeps its own first error
		pr.Close()
	}()
	r, err := b.Host.Run(ctx, host.Cmd{Argv: argv, Stdout: pw, Timeout: -1})
	pw.Close()
	<-copied
	return r, err
}
