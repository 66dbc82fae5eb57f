package logtail

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/richs/richsops/ops/sanitize"
)

// printed is a Sink that keeps the output as tail prints it: each Line
// followed by a newline.
type printed struct {
	mu  sync.Mutex
	out bytes.Buffer
}

func (p *printed) Emit(b Batch) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range b.Lines {
		p.out.WriteString(l.String())
		p.out.WriteByte('\n')
	}
	return nil
}

func (p *printed) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// printedRaw also takes clean reads as they are (the fast path).
type printedRaw struct {
	printed
	raw int // bytes that went the fast path
}

func (p *printedRaw) EmitRaw(text []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out.Write(text)
	p.raw += len(text)
	return nil
}

// feedReads runs data through the follower's per-read work (put the held
// partial line back, "read" the next chunk after it, process) in chunks cut
// where cuts says, then flushes: what a follower emits for a file written
// in those pieces.
func feedReads(sink Sink, data []byte, cuts []int, maxLine int) {
	fl := &follower{sink: sink, buf: newReadBuffer(maxLine)}
	t := &tailed{sp: newSplitter(maxLine)}
	for len(data) > 0 {
		held := fl.putBackPartial(t)
		n := len(data)
		if len(cuts) > 0 {
			n, cuts = min(cuts[0], n), cuts[1:]
		}
		n = copy(fl.buf[held:], data[:n])
		data = data[n:]
		fl.process(t, fl.buf[:held+n])
	}
	fl.lines = t.sp.flush(fl.lines)
	fl.emitHeld()
}

// checkSameOutput fails unless the fast path (RawSink) and the slow path
// (Lines only, each capped and sanitized) print the same bytes, and that
// output is safe.
func checkSameOutput(t *testing.T, data []byte, cuts []int, maxLine int) (rawBytes int) {
	t.Helper()
	slow, fast := &printed{}, &printedRaw{}
	feedReads(slow, data, cuts, maxLine)
	feedReads(fast, data, cuts, maxLine)
	if s, f := slow.String(), fast.String(); s != f {
		t.Fatalf("max %d, cuts %v, input %q:\nslow path %q\nfast path %q", maxLine, cuts, data, s, f)
	}
	out := fast.String()
	if !sanitize.CleanLines(strings.ReplaceAll(out, CutMark, "")) {
		t.Fatalf("input %q: output not safe: %q", data, out)
	}
	return fast.raw
}

// randomLog is log text with hostile bytes here and there: escapes, C1
// controls raw and encoded, invalid and cut UTF-8, bidi overrides, CR, tabs,
// NUL, long lines. One piece in hostileEvery is hostile (0: none).
func randomLog(rng *rand.Rand, size, hostileEvery int) []byte {
	clean := []string{"INFO request ok ", "日本語のログ ", "x", "\n", "\n", "2026-11-27 03:12:07 "}
	hostile := []string{"\x1b[31m", "\x1b]52;c;ZXZpbA==\x07", "\x9b", "\xc2\x9b", "\xff", "\xe6\x97", "\u202e", "\r\n", "\t", "\x00", "\x7f", "\u2028", strings.Repeat("L", 300)}
	var b []byte
	for len(b) < size {
		if hostileEvery > 0 && rng.IntN(hostileEvery) == 0 {
			b = append(b, hostile[rng.IntN(len(hostile))]...)
		} else {
			b = append(b, clean[rng.IntN(len(clean))]...)
		}
	}
	return b
}

func randomCuts(rng *rand.Rand, total int) []int {
	var cuts []int
	for n := 0; n < total; {
		c := 1 + rng.IntN(200)
		cuts = append(cuts, c)
		n += c
	}
	return cuts
}

func TestFastPathSameAsSlowPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	raw := 0
	for i := range 3000 {
		data := randomLog(rng, rng.IntN(2000), []int{0, 12, 200}[i%3])
		maxLine := []int{4, 16, 64, 100, 250, DefaultMaxLine}[rng.IntN(6)]
		raw += checkSameOutput(t, data, randomCuts(rng, len(data)), maxLine)
	}
	if raw == 0 {
		t.Fatal("the fast path was never taken")
	}
}

func TestFastPathEdges(t *testing.T) {
	tests := []struct {
		data string
		cuts []int
		max  int
	}{
		{"abc\ndef\n", nil, 3},            // lines exactly at the cap
		{"abcd\ndef\n", nil, 3},           // first line over the cap
		{"ab\ncdefgh\nij\n", []int{4}, 3}, // partial held, then over the cap
		{"ab\x1b\ncd\n", []int{3, 1}, 64}, // escape split from its line
		{"日本\n語\n", []int{2, 3, 1}, 64},   // rune cut by reads
		{"日本語\n", nil, 4},                 // cut inside a rune
		{"a\r\nb\r\n", []int{2}, 64},      // CRLF, CR and LF in two reads
		{"\n\n\nx", []int{1, 1, 1}, 1},    // empty lines, partial at the end
		{"0123456789\nab\n", []int{5}, 8}, // cut line finished later
		{strings.Repeat("a", 40) + "\n" + strings.Repeat("b", 7) + "\n", []int{13, 13}, 20},
	}
	for _, tt := range tests {
		checkSameOutput(t, []byte(tt.data), tt.cuts, tt.max)
	}
}

func FuzzFastPathSameAsSlowPath(f *testing.F) {
	f.Add([]byte("ok line\nanother\n"), uint8(3), uint16(64))
	f.Add([]byte("a\x1b[2Jb\n日本語\xff\nhold"), uint8(5), uint16(8))
	f.Add([]byte("x\r\n\x9b\n\u202e\n\t\n"), uint8(1), uint16(2))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8, maxLine uint16) {
		if maxLine == 0 {
			maxLine = 1
		}
		var cuts []int
		if cut > 0 {
			for n := 0; n < len(data); n += int(cut) {
				cuts = append(cuts, int(cut))
			}
		}
		checkSameOutput(t, data, cuts, int(maxLine))
	})
}

// TestFollowFastPathRealFile follows a real file written in odd pieces with
// a RawSink and a plain Sink at once: same output. The cap (1,000) is above
// the clean stretches' lines, so their reads can take the fast path.
func TestFollowFastPathRealFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow, fast := &startedSink{Sink: &printed{}, ready: make(chan struct{})}, &startedRaw{printedRaw: &printedRaw{}, ready: make(chan struct{})}
	var wg sync.WaitGroup
	for _, s := range []Sink{slow, fast} {
		wg.Add(1)
		go func() { defer wg.Done(); Follow(ctx, Options{Path: p, MaxLine: 1000}, s) }()
	}
	<-slow.ready
	<-fast.ready
	rng := rand.New(rand.NewPCG(3, 4))
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 12 { // clean stretches (fast path) between hostile ones
		data := randomLog(rng, 40000, []int{0, 12, 500}[i%3])
		for len(data) > 0 { // in pieces that rarely end at a line's end
			n := min(len(data), 1+rng.IntN(7000))
			f.Write(data[:n])
			data = data[n:]
		}
		mark := fmt.Sprintf("\nmark %d\n", i)
		f.WriteString(mark)
		eventually(t, "both followers to read "+mark, func() bool {
			return strings.HasSuffix(slow.Sink.(*printed).String(), mark) && strings.HasSuffix(fast.printedRaw.String(), mark)
		})
	}
	cancel()
	wg.Wait()
	if s, f := slow.Sink.(*printed).String(), fast.printedRaw.String(); s != f {
		t.Fatalf("fast and slow path differ: %d vs %d bytes", len(f), len(s))
	}
	if fast.raw == 0 {
		t.Error("the fast path was never taken")
	}
}

// startedSink closes ready when the follower has opened the file.
type startedSink struct {
	Sink
	ready chan struct{}
	once  sync.Once
}

func (s *startedSink) Emit(b Batch) error {
	if b.Status != nil && b.Status.State == Following {
		s.once.Do(func() { close(s.ready) })
	}
	return s.Sink.Emit(b)
}

type startedRaw struct {
	*printedRaw
	ready chan struct{}
	once  sync.Once
}

func (s *startedRaw) Emit(b Batch) error {
	if b.Status != nil && b.Status.State == Following {
		s.once.Do(func() { close(s.ready) })
	}
	return s.printedRaw.Emit(b)
}
