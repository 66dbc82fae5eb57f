package logtail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/richs/richsops/ops/sanitize"
)

// State says what a follower is doing, for the pane header and tail's stderr.
type State int

const (
	Following State = iota // reading the file
	Missing                // the file does not exist (yet): waiting for it
	Denied                 // permission denied: retrying
	Rotated                // the path now names a new file: switched to it
	Truncated              // the file shrank (copytruncate): reading from its start
	Removed                // the path is gone; still reading the open file, waiting for a new one
	Ended                  // a followed command exited
)

// Status is a change of State.
type Status struct {
	State State
	Path  string
	Err   error // the open error (Missing, Denied) or the command's exit (Ended)
}

func (s Status) String() string {
	switch s.State {
	case Missing:
		return s.Path + ": no such file; waiting for it"
	case Denied:
		return s.Path + ": permission denied; retrying"
	case Rotated:
		return s.Path + ": replaced (rotated); following the new file"
	case Truncated:
		return s.Path + ": truncated; reading from the start"
	case Removed:
		return s.Path + ": removed; waiting for a new file"
	case Ended:
		if s.Err != nil {
			return s.Path + ": ended: " + s.Err.Error()
		}
		return s.Path + ": ended"
	}
	return s.Path + ": following"
}

// Batch is what a follower hands to its Sink at once: all lines it read in
// one go, and what changed.
type Batch struct {
	Lines   []Line
	Status  *Status // non-nil when the state changed
	Origin  *Origin // set with the initial lines: where they start (for Before)
	Dropped int     // lines a bounded sink let go (see Queue)
	Short   *Short  // set with the initial lines when ScanLimit stopped the scan for them
}

// Sink receives batches. An error stops the follower (tail's broken pipe).
type Sink interface {
	Emit(b Batch) error
}

// RawSink is a Sink that also takes text straight from a read (tail's
// printer): when a read's complete lines need no escaping and none is over
// the cap, the follower hands them over as they are, without splitting them
// into Lines. text is only valid during the call.
type RawSink interface {
	Sink
	EmitRaw(text []byte) error
}

// PartialSink is a Sink that also shows the start of a last line whose
// newline is not written yet, as GNU tail does (tail's printer): text is
// sanitized and capped, and the Line that completes it later holds only
// the rest. Panes take whole lines only.
type PartialSink interface {
	Sink
	EmitPartial(text string) error
}

// Options configure Follow.
type Options struct {
	Path    string
	Lines   int // last lines to show first; 0 = start at the end
	MaxLine int // line cap in bytes; 0 = DefaultMaxLine
	// Poll is how often the path is checked without an event (fsnotify
	// watches the folder; this is the fallback). 0 = with fsnotify, 1s
	// while something is pending (a rotated file still read, a removed or
	// missing or unreadable file) and idlePoll otherwise; 250ms without
	// fsnotify.
	Poll time.Duration
}

// idlePoll is the check without an event while the follower has nothing
// pending. fsnotify reports every write, rename, removal and chmod in the
// folder, so this is only a safety net; at 1 s, four quiet panes woke the
// console four times a second (goal 9c of issue 4: under 0.5% of a core).
const idlePoll = 10 * time.Second

// openFile is os.Open; tests replace it to simulate permission errors when
// they run as root.
var openFile = os.Open

// removedGrace is how long a removed file is still read (an app may write
// to it until it reopens its log) before it is closed.
var removedGrace = 10 * time.Second

// rotatedGrace is how long a file renamed away is still read after the new
// one appeared (the app writes to it until it reopens its log).
var rotatedGrace = 10 * time.Second

// useFsnotify is false in the test of the polling fallback.
var useFsnotify = true

// readSize is how much is read before splitting (see readToEOF): small
// enough to stay in the CPU cache between the read, the check and the write
// (256 KiB follows faster than 1 or 4 MiB), and at least 4 lines at the cap
// (see newReadBuffer).
const readSize = 256 << 10

// newReadBuffer has room for a held partial line (up to the cap) and as
// much again to read after it.
func newReadBuffer(maxLine int) []byte {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return make([]byte, max(readSize, 4*maxLine))
}

// tailed is one open file being read: where reading is, and its partial line.
type tailed struct {
	f    *os.File
	fi   os.FileInfo
	off  int64
	sp   *splitter
	last []byte    // the last bytes read (up to lastKeep), to recognise a copy
	at   time.Time // when it was opened
}

// lastKeep is how many of the last bytes read are kept to check that a
// rotated copy holds what was read from the file before it was truncated.
const lastKeep = 256

func (t *tailed) remember(p []byte) {
	if len(p) >= lastKeep {
		t.last = append(t.last[:0], p[len(p)-lastKeep:]...)
		return
	}
	t.last = append(t.last, p...)
	if over := len(t.last) - lastKeep; over > 0 {
		t.last = append(t.last[:0], t.last[over:]...)
	}
}

type follower struct {
	opt   Options
	sink  Sink
	buf   []byte
	cur   *tailed // the file the path names (nil while missing)
	old   *tailed // the file rotated away, still read until oldUntil
	until time.Time
	state State
	told  bool      // state has been sent at least once
	gone  bool      // the path no longer names cur
	since time.Time // when gone became true
	lines []Line
	seen  []os.FileInfo // the files followed lately, never to be read twice
}

// maxSeen bounds follower.seen.
const maxSeen = 16

func (fl *follower) sawBefore(fi os.FileInfo) bool {
	for _, s := range fl.seen {
		if os.SameFile(s, fi) {
			return true
		}
	}
	return false
}

func (fl *follower) see(fi os.FileInfo) {
	if len(fl.seen) == maxSeen {
		fl.seen = fl.seen[1:]
	}
	fl.seen = append(fl.seen, fi)
}

// Follow emits the last opt.Lines lines of opt.Path, then every line
// appended, until ctx ends or the sink fails. It follows the path, not the
// file: after a rename or delete it drains the old file, switches to the new
// one from its start and reads the old one for rotatedGrace more; after a
// truncation it reads the lost tail from logrotate's copy, then the file
// from its start. A partial last line is held until its newline.
func Follow(ctx context.Context, opt Options, sink Sink) error {
	fl := &follower{opt: opt, sink: sink, buf: newReadBuffer(opt.MaxLine)}
	defer func() {
		for _, t := range []*tailed{fl.cur, fl.old} {
			if t != nil {
				t.f.Close()
			}
		}
	}()
	events, stop := watchFolder(opt.Path)
	defer stop()
	poll := opt.Poll
	if poll <= 0 {
		poll = time.Second
		if events == nil {
			poll = 250 * time.Millisecond
		}
	}
	timer := time.NewTimer(poll)
	defer timer.Stop()
	first := true
	for {
		if err := fl.step(first); err != nil {
			return err
		}
		first = false
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(fl.nextLook(poll, events != nil))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-events:
			drainEvents(events)
		case <-timer.C:
		}
	}
}

// nextLook is when to look without an event: poll, or idlePoll when the
// folder is watched, the poll was not set by the caller, and nothing waits
// for a timed look (a file is open under the path, none rotated away is
// still read, and it was not removed).
func (fl *follower) nextLook(poll time.Duration, watched bool) time.Duration {
	if watched && fl.opt.Poll <= 0 && fl.cur != nil && fl.old == nil && !fl.gone {
		return idlePoll
	}
	return poll
}

// step does one round: read what the rotated file still got, open the
// path if needed, read to the end, check the path.
func (fl *follower) step(first bool) error {
	if err := fl.readOld(); err != nil {
		return err
	}
	if fl.cur == nil {
		if err := fl.open(first, false); err != nil {
			return err
		}
		if fl.cur == nil {
			return nil
		}
	}
	if err := fl.readToEOF(fl.cur); err != nil {
		return err
	}
	if err := fl.checkPath(); err != nil {
		return err
	}
	if err := fl.emitHeld(); err != nil {
		return err
	}
	return fl.showPartial()
}

// showPartial hands a PartialSink what the current file's partial last
// line got since the last look (not while a rotated file is still read:
// its lines would land inside that one).
func (fl *follower) showPartial() error {
	ps, ok := fl.sink.(PartialSink)
	if !ok || fl.cur == nil || fl.old != nil {
		return nil
	}
	if text := fl.cur.sp.fragment(false); text != "" {
		return ps.EmitPartial(text)
	}
	return nil
}

// emitHeld sends lines held back (a retired file's last partial line).
func (fl *follower) emitHeld() error {
	if len(fl.lines) == 0 {
		return nil
	}
	b := Batch{Lines: fl.lines}
	fl.lines = nil
	return fl.sink.Emit(b)
}

// readOld reads lines still written to the file rotated away: with
// logrotate's create, the new file exists before the app reopens its log,
// and until then the app writes to the old one. After rotatedGrace it is
// closed (its last partial line emitted).
func (fl *follower) readOld() error {
	if fl.old == nil {
		return nil
	}
	if err := fl.readToEOF(fl.old); err != nil {
		return err
	}
	if time.Now().After(fl.until) {
		fl.retire()
	}
	return nil
}

// retire closes the rotated file, emitting its partial line with the next batch.
func (fl *follower) retire() {
	if fl.old != nil {
		fl.lines = fl.old.sp.flush(fl.lines)
		fl.old.f.Close()
		fl.old = nil
	}
}

// open opens the path. The first open starts at the last opt.Lines lines;
// a file that appears later (or replaces a rotated one) is read from its start.
func (fl *follower) open(first, replaced bool) error {
	f, fi, err := openStat(fl.opt.Path)
	if err != nil {
		st := Missing
		if errors.Is(err, fs.ErrPermission) {
			st = Denied
		}
		return fl.setState(st, err, nil, nil)
	}
	t := &tailed{f: f, fi: fi, sp: newSplitter(fl.opt.MaxLine), at: time.Now()}
	fl.cur, fl.gone = t, false
	fl.see(fi)
	var origin *Origin
	var short *Short
	if first {
		end, n := fi.Size(), fl.opt.Lines
		if _, partial := fl.sink.(PartialSink); n > 0 && !partial && !endsWithNewline(f, end) {
			n++ // the partial last line is held, not shown: show n complete ones
		}
		buf := fl.buf[:blockSize] // small reads: a line kept holds its read's memory
		start, found, cut, err := regionStart(f, end, n, buf)
		if err != nil {
			return err
		}
		if cut {
			short = &Short{Found: found, Wanted: n}
		}
		if fl.lines, err = readRegion(t, start, end, buf, fl.lines[:0]); err != nil {
			return err
		}
		t.off = end
		origin = &Origin{Path: fl.opt.Path, File: fi, Offset: start}
	}
	st := Following
	if replaced || (fl.told && fl.state == Removed) {
		st = Rotated
	}
	return fl.setState(st, nil, origin, short)
}

// setState emits a batch with the held lines and, when it changed, the
// state (with the first lines: their origin, and short when not all were found).
func (fl *follower) setState(st State, err error, origin *Origin, short *Short) error {
	b := Batch{Short: short}
	if !fl.told || st != fl.state || origin != nil {
		fl.state, fl.told = st, true
		b.Status = &Status{State: st, Path: fl.opt.Path, Err: err}
	}
	b.Origin = origin
	if len(fl.lines) > 0 {
		b.Lines, fl.lines = fl.lines, nil
	}
	if b.Status == nil && b.Lines == nil && b.Short == nil {
		return nil
	}
	return fl.sink.Emit(b)
}

// readToEOF reads what was appended to t and emits it. It reads everything
// available (up to readSize) before splitting: under copytruncate, bytes
// not read before the truncation are gone, so reading comes first.
//
// A partial line held from the last read is put back in front of the buffer
// before reading, so that it and its end are checked and emitted with the
// rest of the read (for a RawSink: one write per read, even though a writer
// such as cat rarely stops at a line's end).
func (fl *follower) readToEOF(t *tailed) error {
	for {
		held := fl.putBackPartial(t)
		n, err := fl.readAhead(t, fl.buf[held:])
		if n > 0 {
			t.remember(fl.buf[held : held+n])
		}
		if e := fl.process(t, fl.buf[:held+n]); e != nil {
			return e
		}
		if err != nil || n < len(fl.buf)-held {
			return err
		}
	}
}

// putBackPartial moves t's partial line to the front of fl.buf (unless the
// line is being cut: its rest is dropped, not read) and returns its length.
func (fl *follower) putBackPartial(t *tailed) int {
	if t.sp.cut || len(t.sp.partial) > len(fl.buf)/2 {
		return 0
	}
	held := copy(fl.buf, t.sp.partial)
	t.sp.partial = t.sp.partial[:0]
	return held
}

// process emits data, read from t: clean complete lines raw when the sink
// takes them, the rest split into Lines; a partial last line is held in t.
func (fl *follower) process(t *tailed, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	data, err := fl.emitRaw(t, data)
	if err != nil {
		return err
	}
	fl.lines = t.sp.feed(data, fl.lines)
	if len(fl.lines) > 0 {
		if err := fl.sink.Emit(Batch{Lines: fl.lines}); err != nil {
			return err
		}
		fl.lines = nil
	}
	return nil
}

// emitRaw hands a RawSink the complete lines of data when they can go as
// they are, and returns what is left to split (all of data otherwise).
func (fl *follower) emitRaw(t *tailed, data []byte) ([]byte, error) {
	rs, ok := fl.sink.(RawSink)
	if !ok || len(t.sp.partial) > 0 || t.sp.cut {
		return data, nil
	}
	end := bytes.LastIndexByte(data, '\n') + 1
	if end == 0 || !sanitize.CleanLinesBytes(data[:end]) || !linesWithin(data[:end], t.sp.max) {
		return data, nil
	}
	if len(fl.lines) > 0 { // lines held back (a retired file's last) go first
		if err := fl.sink.Emit(Batch{Lines: fl.lines}); err != nil {
			return data, err
		}
		fl.lines = nil
	}
	// A start of the first line shown already (fragment) was put back in
	// front of the read: only its rest goes out.
	shown := t.sp.shown // clean text: its sanitized text is itself
	t.sp.shown, t.sp.shownText = 0, 0
	return data[end:], rs.EmitRaw(data[shown:end])
}

// linesWithin reports whether no line of b (which ends with a newline) is
// longer than max bytes. If every block of max/2 bytes holds a newline, two
// newlines are at most max-1 bytes apart, so no line is over max: one
// IndexByte per block, which finds a newline within the first line or so.
// Only when a block has none are the lines measured one by one.
func linesWithin(b []byte, max int) bool {
	if block := max / 2; block > 0 {
		ok := true
		for i := 0; i < len(b) && ok; i += block {
			ok = bytes.IndexByte(b[i:min(i+block, len(b))], '\n') >= 0
		}
		if ok {
			return true
		}
	}
	return longestLine(b) <= max
}

func longestLine(b []byte) int {
	longest := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		longest = max(longest, i)
		b = b[min(i+1, len(b)):]
	}
	return longest
}

// readAhead fills buf from t; io.EOF is not an error.
func (fl *follower) readAhead(t *tailed, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := t.f.ReadAt(buf[n:], t.off)
		n += m
		t.off += int64(m)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

// checkPath notices rotation (the path names another file), removal and
// truncation.
func (fl *follower) checkPath() error {
	cur := fl.cur
	st, err := os.Stat(fl.opt.Path)
	switch {
	case err != nil:
		if !fl.gone {
			fl.gone, fl.since = true, time.Now()
			return fl.setState(Removed, err, nil, nil)
		}
		if time.Since(fl.since) > removedGrace {
			// Let the deleted file go: an open descriptor would keep its
			// disk space in use. Wait for a new file instead.
			fl.lines = cur.sp.flush(fl.lines)
			cur.f.Close()
			fl.cur = nil
			return fl.setState(Missing, err, nil, nil)
		}
		return nil
	case !os.SameFile(st, cur.fi):
		// Drain the old file first (the writer may have added lines since
		// our last read), and keep reading it for a while: the app may
		// still write to it until it reopens its log.
		if err := fl.readToEOF(cur); err != nil {
			return err
		}
		fl.retire()
		fl.old, fl.until, fl.cur = cur, time.Now().Add(rotatedGrace), nil
		if err := fl.readSkipped(cur, st); err != nil {
			return err
		}
		if err := fl.open(false, true); err != nil {
			return err
		}
		if fl.cur != nil {
			return fl.readToEOF(fl.cur)
		}
		return nil
	case st.Size() < cur.off:
		// copytruncate: what was written after our last read and before
		// the truncation is gone from this file, but logrotate copied it
		// to the rotated file first: read the rest from there.
		if err := fl.recoverFromCopy(cur); err != nil {
			return err
		}
		fl.lines = cur.sp.flush(fl.lines)
		cur.off, cur.last = 0, cur.last[:0]
		if err := fl.setState(Truncated, nil, nil, nil); err != nil {
			return err
		}
		fl.state = Following // the next truncation is reported again
		return fl.readToEOF(cur)
	}
	return nil
}

// readSkipped reads whole any file that was rotated away while we still
// read cur: when two rotations come faster than one look at the path, the
// file between them is now PATH.1 (or PATH-*), never opened by us. Only
// files written since cur was opened and never followed count.
func (fl *follower) readSkipped(cur *tailed, now os.FileInfo) error {
	names := rotatedCopies(fl.opt.Path)
	for i := len(names) - 1; i >= 0; i-- { // oldest first
		f, fi, err := openStat(names[i])
		if err != nil {
			continue
		}
		if !fi.ModTime().After(cur.at) || fl.sawBefore(fi) || os.SameFile(fi, now) {
			f.Close()
			continue
		}
		fl.see(fi)
		t := &tailed{f: f, fi: fi, sp: newSplitter(fl.opt.MaxLine)}
		err = fl.readToEOF(t)
		fl.lines = t.sp.flush(fl.lines)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// recoverFromCopy reads, from the rotated copy of a truncated file, the
// bytes after the ones already read. The copy is the newest uncompressed
// PATH.1 or PATH-* / PATH.* written in the last minute whose bytes just before
// our offset are the last ones we read; without one nothing is read.
func (fl *follower) recoverFromCopy(t *tailed) error {
	if t.off == 0 || len(t.last) == 0 {
		return nil
	}
	for _, name := range rotatedCopies(fl.opt.Path) {
		f, fi, err := openStat(name)
		if err != nil {
			continue
		}
		if fi.Size() <= t.off || os.SameFile(fi, t.fi) || !sameBytesAt(f, t.off-int64(len(t.last)), t.last) {
			f.Close()
			continue
		}
		c := &tailed{f: f, fi: fi, off: t.off, sp: t.sp}
		err = fl.readToEOF(c)
		f.Close()
		return err
	}
	return nil
}

// rotatedCopies lists the files logrotate may have copied path to, newest
// first.
func rotatedCopies(path string) []string {
	var names []string
	var times []time.Time
	dotted, _ := filepath.Glob(path + ".*")
	dashed, _ := filepath.Glob(path + "-*")
	for _, m := range append(dotted, dashed...) {
		switch filepath.Ext(m) {
		case ".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip":
			continue
		}
		fi, err := os.Stat(m)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) > time.Minute {
			continue
		}
		i := len(names)
		for i > 0 && times[i-1].Before(fi.ModTime()) {
			i--
		}
		names = append(names[:i], append([]string{m}, names[i:]...)...)
		times = append(times[:i], append([]time.Time{fi.ModTime()}, times[i:]...)...)
	}
	return names
}

func sameBytesAt(f io.ReaderAt, off int64, want []byte) bool {
	if off < 0 {
		return false
	}
	got := make([]byte, len(want))
	_, err := f.ReadAt(got, off)
	return err == nil && string(got) == string(want)
}

// watchFolder watches the folder of path (not the file: the file is
// replaced on rotation) and returns a channel that fires for events on path.
// nil means no watcher could be set up: poll only.
func watchFolder(path string) (<-chan struct{}, func()) {
	if !useFsnotify {
		return nil, func() {}
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, func() {}
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		w.Close()
		return nil, func() {}
	}
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	clean := filepath.Clean(path)
	go func() {
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) != clean {
					continue
				}
			case _, ok := <-w.Errors: // overflow: events were lost, look anyway
				if !ok {
					return
				}
			case <-done:
				return
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, func() { close(done); w.Close() }
}

func drainEvents(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func endsWithNewline(f io.ReaderAt, size int64) bool {
	if size == 0 {
		return true
	}
	var b [1]byte
	_, err := f.ReadAt(b[:], size-1)
	return err == nil && b[0] == '\n'
}
