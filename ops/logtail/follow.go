package logtail

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
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
}

// Sink receives batches. An error stops the follower (tail's broken pipe).
type Sink interface {
	Emit(b Batch) error
}

// Options configure Follow.
type Options struct {
	Path    string
	Lines   int // last lines to show first; 0 = start at the end
	MaxLine int // line cap in bytes; 0 = DefaultMaxLine
	// Poll is how often the path is checked without an event (fsnotify
	// watches the folder; this is the fallback). 0 = 1s with fsnotify,
	// 250ms without.
	Poll time.Duration
}

// openFile is os.Open; tests replace it to simulate permission errors when
// they run as root.
var openFile = os.Open

// removedGrace is how long a removed file is still read (an app may write
// to it until it reopens its log) before it is closed.
var removedGrace = 10 * time.Second

// useFsnotify is false in the test of the polling fallback.
var useFsnotify = true

// readSize is how much is read before splitting (see readToEOF).
const readSize = 4 << 20

type follower struct {
	opt   Options
	sink  Sink
	sp    *splitter
	buf   []byte
	f     *os.File
	fi    os.FileInfo
	off   int64
	state State
	told  bool      // state has been sent at least once
	gone  bool      // the path no longer names f
	since time.Time // when gone became true
	lines []Line
}

// Follow emits the last opt.Lines lines of opt.Path, then every line
// appended, until ctx ends or the sink fails. It follows the path, not the
// file: after a rename or delete it drains the old file, then switches to
// the new one from its start; after a truncation it reads from the start. A
// partial last line is held until its newline.
func Follow(ctx context.Context, opt Options, sink Sink) error {
	fl := &follower{opt: opt, sink: sink, sp: newSplitter(opt.MaxLine), buf: make([]byte, readSize)}
	defer func() {
		if fl.f != nil {
			fl.f.Close()
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
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-events:
			drainEvents(events)
		case <-timer.C:
		}
	}
}

// step does one round: open if needed, read to the end, check the path.
func (fl *follower) step(first bool) error {
	if fl.f == nil {
		if err := fl.open(first, false); err != nil {
			return err
		}
		if fl.f == nil {
			return nil
		}
	}
	if err := fl.readToEOF(); err != nil {
		return err
	}
	return fl.checkPath()
}

// open opens the path. The first open starts at the last opt.Lines lines;
// a file that appears later (or replaces a rotated one) is read from its start.
func (fl *follower) open(first, replaced bool) error {
	f, err := openFile(fl.opt.Path)
	if err != nil {
		st := Missing
		if errors.Is(err, fs.ErrPermission) {
			st = Denied
		}
		return fl.setState(st, err, nil)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fl.setState(Missing, err, nil)
	}
	fl.f, fl.fi, fl.off, fl.gone = f, fi, 0, false
	var origin *Origin
	if first {
		end, n := fi.Size(), fl.opt.Lines
		if n > 0 && !endsWithNewline(f, end) {
			n++ // the partial last line is held, not shown: show n complete ones
		}
		data, start, err := lastRegion(f, end, n, fl.sp.max)
		if err != nil {
			return err
		}
		fl.lines = fl.sp.feed(data, fl.lines[:0])
		fl.off = end
		origin = &Origin{Path: fl.opt.Path, File: fi, Offset: start}
	}
	st := Following
	if replaced || (fl.told && fl.state == Removed) {
		st = Rotated
	}
	return fl.setState(st, nil, origin)
}

// setState emits a batch with the held lines and, when it changed, the state.
func (fl *follower) setState(st State, err error, origin *Origin) error {
	var b Batch
	if !fl.told || st != fl.state || origin != nil {
		fl.state, fl.told = st, true
		b.Status = &Status{State: st, Path: fl.opt.Path, Err: err}
	}
	b.Origin = origin
	if len(fl.lines) > 0 {
		b.Lines, fl.lines = fl.lines, nil
	}
	if b.Status == nil && b.Lines == nil {
		return nil
	}
	return fl.sink.Emit(b)
}

// readToEOF reads what was appended and emits it. It reads everything
// available (up to readAhead) before splitting: under copytruncate, bytes
// not read before the truncation are gone, so reading comes first.
func (fl *follower) readToEOF() error {
	for {
		n, err := fl.readAhead()
		if n > 0 {
			fl.lines = fl.sp.feed(fl.buf[:n], fl.lines)
			if len(fl.lines) > 0 {
				if e := fl.sink.Emit(Batch{Lines: fl.lines}); e != nil {
					return e
				}
				fl.lines = nil
			}
		}
		if err != nil || n < len(fl.buf) {
			return err
		}
	}
}

// readAhead fills fl.buf from the file; io.EOF is not an error.
func (fl *follower) readAhead() (int, error) {
	n := 0
	for n < len(fl.buf) {
		m, err := fl.f.ReadAt(fl.buf[n:], fl.off)
		n += m
		fl.off += int64(m)
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
	st, err := os.Stat(fl.opt.Path)
	switch {
	case err != nil:
		if !fl.gone {
			fl.gone, fl.since = true, time.Now()
			return fl.setState(Removed, err, nil)
		}
		if time.Since(fl.since) > removedGrace {
			// Let the deleted file go: an open descriptor would keep its
			// disk space in use. Wait for a new file instead.
			fl.lines = fl.sp.flush(fl.lines)
			fl.f.Close()
			fl.f = nil
			return fl.setState(Missing, err, nil)
		}
		return nil
	case !os.SameFile(st, fl.fi):
		// Drain the old file first: the writer may have added lines
		// between our last read and the rename.
		if err := fl.readToEOF(); err != nil {
			return err
		}
		fl.lines = fl.sp.flush(fl.lines)
		fl.f.Close()
		fl.f = nil
		if err := fl.open(false, true); err != nil {
			return err
		}
		if fl.f != nil {
			return fl.readToEOF()
		}
		return nil
	case st.Size() < fl.off:
		fl.lines = fl.sp.flush(fl.lines)
		fl.off = 0
		if err := fl.setState(Truncated, nil, nil); err != nil {
			return err
		}
		fl.state = Following // the next truncation is reported again
		return fl.readToEOF()
	}
	return nil
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
