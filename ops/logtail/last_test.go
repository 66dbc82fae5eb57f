package logtail

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// naiveLast is the obvious definition regionStart must match.
func naiveLast(data []byte, n int) []byte {
	if n <= 0 || len(data) == 0 {
		return nil
	}
	body := data
	if body[len(body)-1] == '\n' {
		body = body[:len(body)-1]
	}
	for i := len(body) - 1; i >= 0; i-- {
		if body[i] == '\n' {
			n--
			if n == 0 {
				return data[i+1:]
			}
		}
	}
	return data
}

func TestLastRegionMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 300; iter++ {
		var b bytes.Buffer
		lines := rng.Intn(400)
		for i := 0; i < lines; i++ {
			b.WriteString(strings.Repeat("x", rng.Intn(3000)))
			if i < lines-1 || rng.Intn(2) == 0 {
				b.WriteByte('\n')
			}
		}
		data := b.Bytes()
		n := rng.Intn(50)
		start, found, short, err := regionStart(bytes.NewReader(data), int64(len(data)), n, make([]byte, blockSize))
		if err != nil {
			t.Fatal(err)
		}
		want := naiveLast(data, n)
		if int(start) != len(data)-len(want) || short {
			t.Fatalf("iter %d n=%d: region from %d (short %v), want %d bytes", iter, n, start, short, len(want))
		}
		if wantFound := min(n, strings.Count(strings.TrimSuffix(string(data), "\n"), "\n")+1); len(data) > 0 && found != wantFound {
			t.Fatalf("iter %d n=%d: found %d lines, want %d", iter, n, found, wantFound)
		}
	}
}

// TestLastLinesPastALongLine: on a 100-line file whose 50th line is 5 MB,
// the last 60 lines are 60 lines (the scan goes back as far as they need),
// and the long one is shown capped, with its start (its timestamp).
func TestLastLinesPastALongLine(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "2026-12-01 03:00:%02d line %d", i%60, i)
		if i == 50 {
			b.WriteString(strings.Repeat("y", 5<<20))
		}
		b.WriteByte('\n')
	}
	p := writeFile(t, "long.log", b.String())
	for _, get := range []struct {
		name  string
		lines func() []Line
	}{
		{"Before", func() []Line { return last(t, p, 60, 0) }},
		{"EmitLast", func() []Line {
			var s linesOnlySink
			if err := EmitLast(p, 60, 0, &s); err != nil {
				t.Fatal(err)
			}
			return s.lines
		}},
		{"Follow", func() []Line {
			c := startFollow(t, Options{Path: p, Lines: 60})
			eventually(t, "60 lines", func() bool { got, _ := c.snapshot(); return len(got) >= 60 })
			got, _ := c.snapshot()
			lines := make([]Line, len(got))
			for i, g := range got {
				lines[i] = Line{Text: strings.TrimSuffix(g, CutMark), Cut: strings.HasSuffix(g, CutMark)}
			}
			return lines
		}},
	} {
		lines := get.lines()
		if len(lines) != 60 {
			t.Fatalf("%s: %d lines, want 60", get.name, len(lines))
		}
		long := lines[9]
		if !long.Cut || !strings.HasPrefix(long.Text, "2026-12-01 03:00:50 line 50yyy") || len(long.Text) != DefaultMaxLine {
			t.Errorf("%s: the 5 MB line = %.40q… (%d bytes, cut %v), want its start capped at %d", get.name, long.Text, len(long.Text), long.Cut, DefaultMaxLine)
		}
		if lines[0].Text != "2026-12-01 03:00:41 line 41" || lines[59].Text != "2026-12-01 03:00:40 line 100" {
			t.Errorf("%s: first %q, last %q", get.name, lines[0].Text, lines[59].Text)
		}
	}
}

// TestScanLimitSaysHowManyLines: past ScanLimit the scan stops; the lines
// found are shown, the line the limit cut is left out, and Short says so.
func TestScanLimitSaysHowManyLines(t *testing.T) {
	defer func(l int64) { scanLimit = l }(scanLimit)
	scanLimit = 1 << 20
	p := writeFile(t, "huge.log", "old\n"+strings.Repeat("z", 2<<20)+"\na\nb\nc\n")
	var s linesOnlySink
	if err := EmitLast(p, 10, 0, &s); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(texts(s.lines), "|"); got != "a|b|c" {
		t.Errorf("lines = %q, want a|b|c", got)
	}
	if s.short == nil || *s.short != (Short{Found: 3, Wanted: 10}) {
		t.Errorf("short = %+v, want 3 of 10", s.short)
	}
	c := startFollow(t, Options{Path: p, Lines: 10})
	eventually(t, "the 3 lines", linesAre(c, "a", "b", "c"))
	// A window starting exactly at a line holds it whole.
	p2 := writeFile(t, "edge.log", "pre\n"+strings.Repeat("q", (1<<20)-4)+"\nab\n")
	s = linesOnlySink{}
	if err := EmitLast(p2, 5, 0, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.lines) != 2 || !strings.HasPrefix(s.lines[0].Text, "qqq") || s.lines[1].Text != "ab" || s.short == nil || s.short.Found != 2 {
		t.Errorf("edge: %d lines, short %+v", len(s.lines), s.short)
	}
	p3 := writeFile(t, "one.log", strings.Repeat("w", 2<<20)+"\n")
	s = linesOnlySink{}
	if err := EmitLast(p3, 5, 0, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.lines) != 0 || s.short == nil || s.short.Found != 0 {
		t.Errorf("one line over the limit: lines %q, short %+v", texts(s.lines), s.short)
	}
	// Loading earlier lines of a pane stops at such a line, saying so.
	fi, _ := os.Stat(p)
	lines, o, err := Before(Origin{Path: p, Offset: fi.Size()}, 10, 0)
	if err != nil || strings.Join(texts(lines), "|") != "a|b|c" {
		t.Fatalf("Before: %q %v", texts(lines), err)
	}
	if _, _, err := Before(o, 10, 0); err != ErrTooLong {
		t.Errorf("Before past a line over the limit: err = %v, want ErrTooLong", err)
	}
}

func writeFile(t *testing.T, name, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func texts(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.String()
	}
	return out
}

func TestLastAndBefore(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 100; i++ {
		b.WriteString("line " + strings.Repeat("z", i%7) + "\n")
	}
	p := writeFile(t, "a.log", b.String()+"partial")
	lines := last(t, p, 3, 0)
	if got := strings.Join(texts(lines), "|"); got != "line |line z|partial" {
		t.Errorf("last = %q", got)
	}
	fi, _ := os.Stat(p)
	all := strings.Split(b.String(), "\n")
	o := Origin{Path: p, File: fi, Offset: int64(b.Len())}
	var got []string
	for o.Offset > 0 {
		var ls []Line
		var err error
		ls, o, err = Before(o, 30, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(texts(ls), got...)
	}
	if strings.Join(got, "\n")+"\n" != strings.Join(all, "\n") {
		t.Errorf("Before chain does not rebuild the file: %d lines", len(got))
	}
	other := writeFile(t, "b.log", "x\n")
	ofi, _ := os.Stat(other)
	if _, _, err := Before(Origin{Path: p, File: ofi, Offset: 10}, 5, 0); err != ErrRotated {
		t.Errorf("Before on a replaced file: err = %v, want ErrRotated", err)
	}
}

func TestSplitterCapAndPartial(t *testing.T) {
	sp := newSplitter(10)
	out := sp.feed([]byte("short\r\n0123456789ABCDEF\n日本語日本語\nhold"), nil)
	want := []string{"short", "0123456789" + CutMark, "日本語" + CutMark}
	if strings.Join(texts(out), "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q, want %q", texts(out), want)
	}
	out = sp.feed([]byte("ing\n"), nil)
	if len(out) != 1 || out[0].Text != "holding" {
		t.Errorf("partial line = %q", texts(out))
	}
	if out = sp.flush(nil); len(out) != 0 {
		t.Errorf("flush after newline = %q", texts(out))
	}
	sp.feed([]byte("\x1b]0;pwned\x07"), nil)
	if out = sp.flush(nil); len(out) != 1 || out[0].Text != `\x1b]0;pwned\x07` {
		t.Errorf("flush = %q", texts(out))
	}
}

func TestRing(t *testing.T) {
	r := NewRing(4)
	mk := func(ss ...string) []Line {
		var out []Line
		for _, s := range ss {
			out = append(out, Line{Text: s})
		}
		return out
	}
	dump := func() string {
		var s []string
		for q := r.First(); q < r.End(); q++ {
			s = append(s, r.At(q).Text)
		}
		return strings.Join(s, ",")
	}
	r.Push(mk("a", "b", "c"))
	r.Push(mk("d", "e"))
	if dump() != "b,c,d,e" || r.First() != 1 {
		t.Fatalf("ring = %s first %d", dump(), r.First())
	}
	r.Push(mk("1", "2", "3", "4", "5", "6"))
	if dump() != "3,4,5,6" || r.First() != 7 {
		t.Fatalf("ring after big push = %s first %d", dump(), r.First())
	}
	r2 := NewRing(5)
	r2.Push(mk("x", "y"))
	r = r2
	if n := r.PushFront(mk("p", "q", "v", "w")); n != 3 || dump() != "q,v,w,x,y" || r.First() != -3 {
		t.Fatalf("PushFront took %d: %s first %d", n, dump(), r.First())
	}
}

func BenchmarkRingPush(b *testing.B) {
	r := NewRing(10000)
	batch := make([]Line, 1000)
	for i := range batch {
		batch[i] = Line{Text: "2026-11-27 03:12:07,123 INFO inventory.check item ok"}
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Push(batch)
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkLast reads the last 1000 lines of a 1 MiB and a 256 MiB file:
// the time must not depend on the size (the 2 GiB case is in bench/logs.sh).
func BenchmarkLast(b *testing.B) {
	line := []byte("2026-11-27 03:12:07,123 INFO inventory.check 商品 「テスト商品」 price=1980 stock=3\n")
	for _, mib := range []int{1, 256} {
		p := filepath.Join(b.TempDir(), "big.log")
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		chunk := bytes.Repeat(line, (1<<20)/len(line))
		for i := 0; i < mib; i++ {
			f.Write(chunk)
		}
		f.Close()
		size := int64(mib) * int64(len(chunk))
		b.Run(strconv.Itoa(mib)+"MiB", func(b *testing.B) {
			for b.Loop() {
				if lines, _, err := Before(Origin{Path: p, Offset: size}, 1000, DefaultMaxLine); err != nil || len(lines) != 1000 {
					b.Fatal(err, len(lines))
				}
			}
		})
	}
}

// BenchmarkFeed is the follower's per-read work: split a 4 MiB read into
// sanitized lines.
func BenchmarkFeed(b *testing.B) {
	line := []byte("2026-11-27 03:12:07,123 INFO inventory.check item 1234567 ok\n")
	chunk := bytes.Repeat(line, readSize/len(line))
	sp := newSplitter(DefaultMaxLine)
	b.SetBytes(int64(len(chunk)))
	n := 0
	for b.Loop() {
		n += len(sp.feed(chunk, nil))
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// recordingSink keeps what EmitLast hands it, raw and as Lines.
type recordingSink struct {
	raw   []byte
	lines []Line
}

func (s *recordingSink) Emit(b Batch) error        { s.lines = append(s.lines, b.Lines...); return nil }
func (s *recordingSink) EmitRaw(text []byte) error { s.raw = append(s.raw, text...); return nil }

// linesOnlySink is a Sink without EmitRaw.
type linesOnlySink struct {
	lines []Line
	short *Short
}

func (s *linesOnlySink) Emit(b Batch) error {
	s.lines = append(s.lines, b.Lines...)
	if b.Short != nil {
		s.short = b.Short
	}
	return nil
}

func TestEmitLast(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		n          int
		raw        bool
		want       string // the lines as printed, each ending in a newline
	}{
		{"clean lines go raw", "a\nb 日本語\nc\n", 2, true, "b 日本語\nc\n"},
		{"all of a short file", "a\nb\n", 10, true, "a\nb\n"},
		{"escape sequence is escaped", "a\nevil \x1b]52;c;eA==\x07\n", 1, false, "evil \\x1b]52;c;eA==\\x07\n"},
		{"partial last line: whole lines raw, then it", "a\nb\nno newline", 2, true, "b\nno newline\n"},
		{"CRLF loses its CR", "a\r\nb\r\n", 1, false, "b\n"},
		{"line over the cap is cut", "short\n" + strings.Repeat("x", 40) + "\n", 2, false, "short\n" + strings.Repeat("x", 32) + CutMark + "\n"},
		{"last line over the cap: its start, cut", "short\n" + "start" + strings.Repeat("x", 39) + "y\n", 1, false, "start" + strings.Repeat("x", 27) + CutMark + "\n"},
		{"empty file", "", 5, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "a.log", tc.file)
			var s recordingSink
			if err := EmitLast(p, tc.n, 32, &s); err != nil {
				t.Fatal(err)
			}
			if (len(s.raw) > 0) != tc.raw {
				t.Errorf("raw = %q, want raw: %v", s.raw, tc.raw)
			}
			got := string(s.raw)
			for _, l := range s.lines {
				got += l.String() + "\n"
			}
			if got != tc.want {
				t.Errorf("printed %q, want %q", got, tc.want)
			}
			// A sink that takes only Lines gets the same lines.
			var ls linesOnlySink
			if err := EmitLast(p, tc.n, 32, &ls); err != nil {
				t.Fatal(err)
			}
			if strings.Join(texts(ls.lines), "\n")+"\n" != tc.want && tc.want != "" {
				t.Errorf("lines-only sink got %q", texts(ls.lines))
			}
		})
	}
	if err := EmitLast(filepath.Join(t.TempDir(), "missing.log"), 5, 0, &recordingSink{}); !os.IsNotExist(err) {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestEmitLastStreamsLikeLast: over many buffers' worth of lines, with
// multibyte runes and hostile bytes cut across buffer ends, EmitLast prints
// the lines a pane loads from the end of the file (last).
func TestEmitLastStreamsLikeLast(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var b strings.Builder
	for i := 0; b.Len() < 5*emitBufSize; i++ {
		b.WriteString(strconv.Itoa(i) + " 在庫チェック「商品」 " + strings.Repeat("x", rng.Intn(300)))
		switch rng.Intn(50) {
		case 0:
			b.WriteString(" \x1b[31mred\x1b[0m")
		case 1:
			b.WriteString(" \xff\xfe")
		case 2:
			b.WriteString(strings.Repeat("長", 200)) // over the cap below
		}
		b.WriteString("\n")
	}
	p := writeFile(t, "big.log", b.String()+"tail without newline")
	for _, n := range []int{1, 10, 500, 100000} {
		got, want := emitAndLast(t, p, n, 512)
		if got != want {
			t.Fatalf("n=%d: EmitLast printed %d bytes, last %d; first difference at %d", n, len(got), len(want), firstDiff(got, want))
		}
	}
}

// last is the last n lines of the file at p the way a pane loads them
// (Before from the end of the file: lastRegion, then the splitter).
func last(t *testing.T, p string, n, max int) []Line {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	lines, _, err := Before(Origin{Path: p, Offset: fi.Size()}, n, max)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// emitAndLast is what EmitLast prints of the file at p, and the last n
// lines (last) printed the same way.
func emitAndLast(t *testing.T, p string, n, max int) (got, want string) {
	t.Helper()
	w := &printed{}
	w.Emit(Batch{Lines: last(t, p, n, max)})
	g := &printedRaw{}
	if err := EmitLast(p, n, max, g); err != nil {
		t.Fatal(err)
	}
	return g.String(), w.String()
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// FuzzEmitLastSameAsLast: whatever the file holds, EmitLast prints (raw or
// as Lines) exactly the lines last returns, for any n and line cap.
func FuzzEmitLastSameAsLast(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), uint8(2), uint16(64))
	f.Add([]byte("日本語\n\x1b[2Jevil\nno newline"), uint8(1), uint16(8))
	f.Add([]byte(strings.Repeat("long line ", 50)+"\nx\n"), uint8(2), uint16(16))
	f.Fuzz(func(t *testing.T, data []byte, n uint8, maxLine uint16) {
		p := filepath.Join(t.TempDir(), "f.log")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		max := int(maxLine%2048) + 1
		if got, want := emitAndLast(t, p, int(n), max); got != want {
			t.Fatalf("n=%d max=%d: EmitLast %q, last %q", n, max, got, want)
		}
	})
}

// FuzzFragmentsAddUp: a line shown in fragments as it is written (tail -F's
// last line without newline) and then completed prints exactly what the
// whole line prints, wherever the writes stop, whatever the bytes.
func FuzzFragmentsAddUp(f *testing.F) {
	f.Add([]byte("ab\ncd\x1b[1mef\nxyz"), uint8(3), uint16(8))
	f.Add([]byte("日本語\r\nlong line here\n\xe8\xaa\x9e\n"), uint8(1), uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, step uint8, maxLine uint16) {
		max, n := int(maxLine%256)+1, int(step%16)+1
		printAll := func(lines []Line) string {
			var b strings.Builder
			for _, l := range lines {
				b.WriteString(l.String() + "\n")
			}
			return b.String()
		}
		final := func(sp *splitter) string {
			var s printedPartial
			if lines, err := finalLine(sp, &s); err != nil || len(lines) > 0 {
				t.Fatalf("finalLine: %v %v", lines, err)
			}
			return s.text
		}
		whole := newSplitter(max)
		want := printAll(whole.feed(data, nil)) + final(whole)
		sp := newSplitter(max)
		var got strings.Builder
		for i := 0; i < len(data); i += n {
			got.WriteString(printAll(sp.feed(data[i:min(i+n, len(data))], nil)))
			got.WriteString(sp.fragment(false))
		}
		got.WriteString(final(sp))
		if got.String() != want {
			t.Fatalf("in writes of %d (cap %d): %q, whole: %q", n, max, got.String(), want)
		}
	})
}

// printedPartial is a PartialSink keeping what EmitPartial got.
type printedPartial struct {
	linesOnlySink
	text string
}

func (p *printedPartial) EmitPartial(text string) error { p.text += text; return nil }
