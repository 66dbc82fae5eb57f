package logtail

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/richs/richsops/ops/host"
)

// collector is a Sink that keeps everything.
type collector struct {
	mu       sync.Mutex
	lines    []string
	statuses []Status
	origins  []Origin
}

func (c *collector) Emit(b Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range b.Lines {
		c.lines = append(c.lines, l.String())
	}
	if b.Status != nil {
		c.statuses = append(c.statuses, *b.Status)
	}
	if b.Origin != nil {
		c.origins = append(c.origins, *b.Origin)
	}
	return nil
}

func (c *collector) snapshot() ([]string, []Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...), append([]Status(nil), c.statuses...)
}

func (c *collector) hasState(s State) bool {
	_, sts := c.snapshot()
	for _, st := range sts {
		if st.State == s {
			return true
		}
	}
	return false
}

// eventually polls cond for up to 20 s (generous: the machine is shared).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func startFollow(t *testing.T, opt Options) *collector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{}
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, opt, c) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Follow returned %v", err)
		}
	})
	return c
}

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func linesAre(c *collector, want ...string) func() bool {
	return func() bool {
		got, _ := c.snapshot()
		return strings.Join(got, "|") == strings.Join(want, "|")
	}
}

func TestFollowInitialPartialAndAppend(t *testing.T) {
	p := writeFile(t, "app.log", "one\ntwo\nthree\npart")
	c := startFollow(t, Options{Path: p, Lines: 2})
	eventually(t, "initial lines", linesAre(c, "two", "three"))
	appendTo(t, p, "ial\nfour\n")
	eventually(t, "held partial line completed", linesAre(c, "two", "three", "partial", "four"))
	if len(c.origins) != 1 || c.origins[0].Offset != 4 {
		t.Errorf("origin = %+v, want offset 4", c.origins)
	}
}

func TestFollowMissingFileAppears(t *testing.T) {
	for _, notify := range []bool{true, false} {
		t.Run(fmt.Sprintf("fsnotify=%v", notify), func(t *testing.T) {
			useFsnotify = notify
			defer func() { useFsnotify = true }()
			p := filepath.Join(t.TempDir(), "later.log")
			c := startFollow(t, Options{Path: p, Lines: 10, Poll: 50 * time.Millisecond})
			eventually(t, "missing status", func() bool { return c.hasState(Missing) })
			appendTo(t, p, "first\nsecond\n")
			eventually(t, "lines of the new file from its start", linesAre(c, "first", "second"))
		})
	}
}

func TestFollowReleasesRemovedFile(t *testing.T) {
	removedGrace = 100 * time.Millisecond
	defer func() { removedGrace = 10 * time.Second }()
	p := writeFile(t, "gone.log", "a\n")
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 20 * time.Millisecond})
	eventually(t, "first line", linesAre(c, "a"))
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	os.Remove(p)
	f.WriteString("late\n") // the app writes on until it reopens
	f.Close()
	eventually(t, "removed status", func() bool { return c.hasState(Removed) })
	eventually(t, "waiting for a new file", func() bool { return c.hasState(Missing) })
	if !linesAre(c, "a", "late")() {
		got, _ := c.snapshot()
		t.Errorf("lines = %q, want the late line of the removed file too", got)
	}
	if fds, _ := filepath.Glob("/proc/self/fd/*"); len(fds) > 0 {
		for _, fd := range fds {
			if target, _ := os.Readlink(fd); strings.HasPrefix(target, p) {
				t.Errorf("the removed file is still open: %s -> %s", fd, target)
			}
		}
	}
	appendTo(t, p, "new\n")
	eventually(t, "the new file", linesAre(c, "a", "late", "new"))
}

func TestFollowReadsRenamedFileUntilReopen(t *testing.T) {
	// logrotate "create": the new file exists at once, the app writes to
	// the renamed one until its postrotate signal makes it reopen.
	p := writeFile(t, "app.log", "a\n")
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 20 * time.Millisecond})
	eventually(t, "first line", linesAre(c, "a"))
	app, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	os.Rename(p, p+".1")
	os.WriteFile(p, nil, 0o644)
	eventually(t, "rotated status", func() bool { return c.hasState(Rotated) })
	want := []string{"a"}
	for i := 0; i < 5; i++ { // spread over many follower rounds
		fmt.Fprintf(app, "late %d\n", i)
		want = append(want, fmt.Sprintf("late %d", i))
		time.Sleep(30 * time.Millisecond)
	}
	app.Close()
	appendTo(t, p, "reopened\n")
	want = append(want, "reopened")
	eventually(t, "late lines of the renamed file, then the new file", linesAre(c, want...))
}

func TestFollowCopytruncateReadsTheCopy(t *testing.T) {
	useFsnotify = false // only the poll looks: the truncation comes before any read
	defer func() { useFsnotify = true }()
	p := writeFile(t, "ct.log", "a\n")
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 300 * time.Millisecond})
	eventually(t, "first line", linesAre(c, "a"))
	appendTo(t, p, "b\nc\n") // written, then logrotate copies and truncates
	data, _ := os.ReadFile(p)
	os.WriteFile(p+".1", data, 0o644)
	os.Truncate(p, 0)
	eventually(t, "b and c from the copy", linesAre(c, "a", "b", "c"))
	appendTo(t, p, "d\n")
	eventually(t, "d from the truncated file", linesAre(c, "a", "b", "c", "d"))
}

func TestFollowReadsAFileRotatedPastIt(t *testing.T) {
	useFsnotify = false // only the poll looks: two rotations come between looks
	defer func() { useFsnotify = true }()
	p := writeFile(t, "fast.log", "a\n")
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 300 * time.Millisecond})
	eventually(t, "first line", linesAre(c, "a"))
	os.Rename(p, p+".1")
	os.WriteFile(p, []byte("b1\nb2\n"), 0o644)
	os.Rename(p, p+".1") // the first file is gone; the follower never saw this one
	os.WriteFile(p, []byte("c\n"), 0o644)
	eventually(t, "the skipped file whole, then the new one", linesAre(c, "a", "b1", "b2", "c"))
}

func TestFollowPermissionDenied(t *testing.T) {
	p := writeFile(t, "secret.log", "hidden\n")
	var mu sync.Mutex
	denied := true
	openFile = func(name string) (*os.File, error) {
		mu.Lock()
		defer mu.Unlock()
		if denied {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return os.Open(name)
	}
	defer func() { openFile = os.Open }()
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 20 * time.Millisecond})
	eventually(t, "denied status", func() bool { return c.hasState(Denied) })
	mu.Lock()
	denied = false
	mu.Unlock()
	eventually(t, "lines after access is granted", linesAre(c, "hidden"))
}

func TestFollowPermissionDeniedReal(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file: covered by TestFollowPermissionDenied with a failing open")
	}
	p := writeFile(t, "secret.log", "hidden\n")
	os.Chmod(p, 0)
	c := startFollow(t, Options{Path: p, Lines: 10, Poll: 20 * time.Millisecond})
	eventually(t, "denied status", func() bool { return c.hasState(Denied) })
	os.Chmod(p, 0o644)
	eventually(t, "lines after chmod", linesAre(c, "hidden"))
}

// rotation is one way logrotate (or an app) replaces a log.
type rotation string

const (
	rotRename       rotation = "rename"       // logrotate create: rename, app reopens
	rotRecreate     rotation = "recreate"     // delete and create again
	rotCopyTruncate rotation = "copytruncate" // copy, then truncate in place
)

// writeWithRotations writes total numbered lines as fast as it can,
// rotating every `every` lines. For rename it also writes a few lines to the
// old file after the rename, as an app does until it reopens.
func writeWithRotations(t *testing.T, p string, mode rotation, total, every int, burst bool) {
	open := func() *os.File {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Error(err)
		}
		return f
	}
	f := open()
	w := bufio.NewWriterSize(f, 512) // many small writes: a busy app
	for i := 0; i < total; i++ {
		if i%2000 == 0 && !burst {
			// Bursts with short gaps, about 200k lines/s at most: fast, yet
			// a follower (even under -race) keeps up with the rotations.
			// One that falls two rotations behind loses a whole file
			// whatever it does, GNU tail too.
			w.Flush()
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Fprintf(w, "L%08d some log text to make the line a realistic length\n", i)
		if i%every != every-1 || i == total-1 {
			continue
		}
		switch mode {
		case rotRename:
			// logrotate "create": rename, create the new empty file, then
			// signal the app, which writes on to the old file until it
			// reopens. A follower sees the new file before those lines.
			w.Flush()
			os.Rename(p, p+".1")
			os.WriteFile(p, nil, 0o644)
			time.Sleep(5 * time.Millisecond) // the follower may switch now
			for j := 0; j < 20 && i+1 < total; j++ {
				i++
				fmt.Fprintf(w, "L%08d written after the rename\n", i)
			}
			w.Flush()
			f.Close()
			f = open()
			w.Reset(f)
		case rotRecreate:
			w.Flush()
			f.Close()
			os.Remove(p)
			f = open()
			w.Reset(f)
		case rotCopyTruncate:
			w.Flush()
			data, _ := os.ReadFile(p)
			os.WriteFile(p+".1", data, 0o644)
			os.Truncate(p, 0)
		}
	}
	w.Flush()
	f.Close()
}

// count says how many of total numbered lines were lost and doubled.
func count(lines []string, total int) (lost, doubled int) {
	seen := make([]int, total)
	for _, l := range lines {
		if len(l) < 9 || l[0] != 'L' {
			continue
		}
		if n, err := strconv.Atoi(l[1:9]); err == nil && n < total {
			seen[n]++
		}
	}
	for _, s := range seen {
		if s == 0 {
			lost++
		}
		if s > 1 {
			doubled += s - 1
		}
	}
	return
}

// gnuTail runs `tail -n +1 -F` on p and returns its output lines when stop
// is called.
func gnuTail(t *testing.T, p string) func() []string {
	if _, err := exec.LookPath("tail"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("GNU tail missing")
		}
		t.Skip("GNU tail missing")
	}
	cmd := exec.Command("tail", "-n", "+1", "-F", p)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
		}
		close(done)
	}()
	return func() []string {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		return lines
	}
}

// settle waits until c got total lines, or stopped growing for 2 s.
func settle(c *collector, total int) {
	last, since := -1, time.Now()
	for time.Since(since) < 2*time.Second {
		got, _ := c.snapshot()
		if len(got) >= total {
			return
		}
		if len(got) != last {
			last, since = len(got), time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFollowRotationNoLoss(t *testing.T) { rotationRun(t, 120000, 15000, false) }

// TestRotationBurstFigures writes without pauses, as fast as one core can:
// only figures (bench/logs.sh runs it without -race), since a follower that
// falls two rotations behind loses a whole file whatever it does.
func TestRotationBurstFigures(t *testing.T) {
	if os.Getenv("RICHSOPS_ROTATION_FIGURES") == "" {
		t.Skip("set RICHSOPS_ROTATION_FIGURES=1 (bench/logs.sh does)")
	}
	rotationRun(t, 1000000, 100000, true)
}

func rotationRun(t *testing.T, total, every int, burst bool) {
	for _, mode := range []rotation{rotRename, rotRecreate, rotCopyTruncate} {
		t.Run(string(mode), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "busy.log")
			appendTo(t, p, "")
			c := startFollow(t, Options{Path: p, Lines: 10})
			stopGNU := gnuTail(t, p)
			eventually(t, "follower started", func() bool { return c.hasState(Following) })
			time.Sleep(200 * time.Millisecond) // let GNU tail open the file too
			writeWithRotations(t, p, mode, total, every, burst)
			settle(c, total)
			time.Sleep(300 * time.Millisecond)
			got, _ := c.snapshot()
			lost, doubled := count(got, total)
			gLost, gDoubled := count(stopGNU(), total)
			t.Logf("%s: %d lines, %d rotations: richsops lost %d doubled %d; GNU tail -F lost %d doubled %d",
				mode, total, total/every-1, lost, doubled, gLost, gDoubled)
			switch {
			case burst:
			case mode == rotCopyTruncate:
				// Lines written between the follower's last read and the
				// truncation are gone from the file; richsops reads them
				// from logrotate's copy, so it must do no worse than GNU
				// tail (which loses them).
				if lost > gLost || doubled != 0 {
					t.Errorf("copytruncate: lost %d doubled %d, GNU tail lost %d", lost, doubled, gLost)
				}
			default:
				if lost != 0 || doubled != 0 {
					t.Errorf("%s rotation lost %d and doubled %d lines", mode, lost, doubled)
				}
			}
		})
	}
}

func TestFollowCommandLocalTail(t *testing.T) {
	if _, err := exec.LookPath("tail"); err != nil {
		t.Skip("GNU tail missing")
	}
	p := writeFile(t, "remote.log", "a\nb\nc\n")
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{}
	done := make(chan error, 1)
	go func() {
		done <- FollowCommand(ctx, host.NewLocal(), host.TailArgv(p, 2, true), "local:"+p, 0, c)
	}()
	eventually(t, "last 2 lines", linesAre(c, "b", "c"))
	appendTo(t, p, "d\x1b[2J\n")
	eventually(t, "appended sanitized line", linesAre(c, "b", "c", `d\x1b[2J`))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("FollowCommand: %v", err)
	}
	_, sts := c.snapshot()
	if last := sts[len(sts)-1]; last.State != Ended || last.Err != nil {
		t.Errorf("last status = %+v, want Ended without error", last)
	}
}

// TestFollowInitialLongLineIsCut: a first line over the cap is shown cut
// (its start, the timestamp), then following goes on normally.
func TestFollowInitialLongLineIsCut(t *testing.T) {
	p := writeFile(t, "app.log", "short\n03:00 "+strings.Repeat("x", 5000)+"end\n")
	c := startFollow(t, Options{Path: p, Lines: 1, MaxLine: 100})
	want := "03:00 " + strings.Repeat("x", 94) + CutMark
	eventually(t, "the cut line", linesAre(c, want))
	appendTo(t, p, "next\n")
	eventually(t, "the next line whole", linesAre(c, want, "next"))
}

// The timed look is the 10 s safety net only while nothing is pending and
// fsnotify watches; a rotated file still drained, a removed or missing file,
// no watcher, or a poll the caller chose keep their cadence.
func TestNextLook(t *testing.T) {
	open := &tailed{}
	for _, tc := range []struct {
		name    string
		fl      follower
		watched bool
		want    time.Duration
	}{
		{"following, watched", follower{cur: open}, true, idlePoll},
		{"following, not watched", follower{cur: open}, false, time.Second},
		{"caller's poll", follower{cur: open, opt: Options{Poll: 50 * time.Millisecond}}, true, time.Second},
		{"draining a rotated file", follower{cur: open, old: open}, true, time.Second},
		{"path removed", follower{cur: open, gone: true}, true, time.Second},
		{"missing or unreadable", follower{}, true, time.Second},
	} {
		if got := tc.fl.nextLook(time.Second, tc.watched); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
