package sanitize

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
		{"\x1bP1$r\x1b\\", `\x1bP1$r\x1b\`},
		{"\x1b_apc\x1b\\", `\x1b_apc\x1b\`},
		{"bell\x07back\x08del\x7f", `bell\x07back\x08del\x7f`},
		{"cr\rlf", `cr\x0dlf`},
		{"a\tb", "a       b"},
		{"\u0085nel \u009bcsi", `\u0085nel \u009bcsi`},
		{"raw c1 \x9b31m", `raw c1 \x9b31m`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"trunc \xe3\x81", `trunc \xe3\x81`},
		{"rtl \u202eevil", `rtl \u202eevil`},
		{"商品名 テスト", "商品名 テスト"},
		{"日本\t語", "日本    語"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkSafe fails when s holds anything a terminal would act on.
func checkSafe(t *testing.T, in []byte, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("Line(%q) = %q: invalid UTF-8", in, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			t.Fatalf("Line(%q) = %q: control byte %#x at %d", in, s, c, i)
		}
	}
	for _, r := range s {
		if (r >= 0x80 && r <= 0x9f) || UnsafeRune(r) {
			t.Fatalf("Line(%q) = %q: unsafe rune %U", in, s, r)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[2J", "\x1b]52;c;ZXZpbA==\x07", "\x9b", "\xc2\x9b", "日本語\t", "\xed\xa0\x80", "\u202e"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Line(b)
		checkSafe(t, b, s)
		if Clean(string(b)) && s != string(b) {
			t.Fatalf("Clean(%q) but Line changed it to %q", b, s)
		}
		if CleanLinesBytes(b) != CleanLines(string(b)) {
			t.Fatalf("CleanLinesBytes and CleanLines differ on %q", b)
		}
		if got, want := CleanLines(string(b)), cleanLinesRef(b); got != want {
			t.Fatalf("CleanLines(%q) = %v, the byte-at-a-time reference says %v", b, got, want)
		}
		if got, want := Clean(string(b)), cleanLinesRef(b) && !strings.Contains(string(b), "\n"); got != want {
			t.Fatalf("Clean(%q) = %v, the byte-at-a-time reference says %v", b, got, want)
		}
		if CleanLines(string(b)) {
			for _, l := range strings.Split(string(b), "\n") {
				if Line([]byte(l)) != l {
					t.Fatalf("CleanLines(%q) but Line changes line %q", b, l)
				}
			}
		}
		if String(string(b)) != s {
			t.Fatalf("String and Line differ on %q", b)
		}
		if PlainASCII(b) && s != string(b) {
			t.Fatalf("plain ASCII changed: %q -> %q", b, s)
		}
		if !strings.Contains(string(b), "\t") && utf8.Valid(b) {
			for _, r := range string(b) {
				if r >= 0x20 && r != 0x7f && !(r >= 0x80 && r <= 0x9f) && !UnsafeRune(r) && !strings.ContainsRune(s, r) {
					t.Fatalf("printable rune %U lost: %q -> %q", r, b, s)
				}
			}
		}
	})
}

func BenchmarkCleanLines(b *testing.B) {
	text := []byte(strings.Repeat("2026-11-27 03:12:07,123 INFO inventory.check item 1234567 ok\n", 4096))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if !CleanLinesBytes(text) {
			b.Fatal("not clean")
		}
	}
}

func BenchmarkLineASCII(b *testing.B) {
	line := []byte(`2026-11-27 03:12:07,123 INFO inventory.check item 12345 ok price=1980 stock=3 url=https://example.com/item/12345`)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_ = Line(line)
	}
}

// cleanLinesRef is CleanLines the slow, obvious way: one byte or rune at a
// time, no word tricks.
func cleanLinesRef(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c == '\n' || (c >= 0x20 && c < 0x7f) {
			i++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && size <= 1) || UnsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

func TestCleanLinesMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Mostly clean text with a hostile byte or rune here and there, at
	// every offset of the word scans.
	pieces := []string{"a", "log line ", "\n", "日本語", "é", "\t", "\r", "\x1b", "\x7f", "\x9b", "\xc2\x9b", "\xff", "\u202e", "\xe6\x97", "\x00"}
	for n := 0; n < 20000; n++ {
		var sb strings.Builder
		for size := rng.IntN(200); sb.Len() < size; {
			if rng.IntN(10) == 0 {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			} else {
				sb.WriteString(pieces[rng.IntN(4)])
			}
		}
		b := []byte(sb.String())
		if got, want := CleanLinesBytes(b), cleanLinesRef(b); got != want {
			t.Fatalf("CleanLinesBytes(%q) = %v, reference %v", b, got, want)
		}
	}
}

func TestCleanEveryByteAtEveryPosition(t *testing.T) {
	// 41 bytes: every position of the 32-byte and the 8-byte scans and the
	// byte-at-a-time tail.
	for pos := 0; pos < 41; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefghijklmnopqrstuvwxyz0123456789ABCDE")
			b[pos] = byte(c)
			want := c >= 0x20 && c < 0x7f
			if got := Clean(string(b)); got != want {
				t.Fatalf("Clean with %#x at %d = %v", c, pos, got)
			}
			if got := CleanLines(string(b)); got != (want || c == '\n') {
				t.Fatalf("CleanLines with %#x at %d = %v", c, pos, got)
			}
			if got := CleanLinesBytes(b); got != (want || c == '\n') {
				t.Fatalf("CleanLinesBytes with %#x at %d = %v", c, pos, got)
			}
		}
	}
}

func TestUnsafeLeadsCoverUnsafeRunes(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !UnsafeRune(r) || !utf8.ValidRune(r) {
			continue
		}
		lead := string(r)[0]
		if strings.IndexByte(unsafeLeads, lead) < 0 {
			t.Fatalf("unsafe rune %U starts with %#x, which is not in unsafeLeads", r, lead)
		}
		if s := "ok 日本 " + string(r) + " end"; CleanLines(s) || Clean(s) {
			t.Fatalf("%U passed as clean", r)
		}
	}
}

// BenchmarkCleanLinesJapanese is the check on the richs logs' usual text:
// ASCII with a few Japanese words per line.
func BenchmarkCleanLinesJapanese(b *testing.B) {
	text := []byte(strings.Repeat("2026-11-27 03:12:07,123 INFO inventory.check 商品000123 「テスト商品」（在庫） price=1980 stock=3 url=https://example.com/i/123\n", 1000))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if !CleanLinesBytes(text) {
			b.Fatal("not clean")
		}
	}
}

// TestRuneWidthMatchesANSI checks RuneWidth (tab stops, without
// linking x/ansi) against the measure the panes draw with, for every
// printable rune.
func TestRuneWidthMatchesANSI(t *testing.T) {
	bad := 0
	for r := rune(0x20); r <= utf8.MaxRune; r++ {
		if r == 0x7f || (r >= 0x80 && r < 0xa0) || !utf8.ValidRune(r) {
			continue // controls: escaped, never measured
		}
		if got, want := RuneWidth(r), ansi.StringWidth(string(r)); got != want {
			if bad++; bad <= 10 {
				t.Errorf("RuneWidth(%U) = %d, ansi.StringWidth = %d", r, got, want)
			}
		}
	}
	if bad > 10 {
		t.Errorf("... %d runes differ in all", bad)
	}
}

func TestCap(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"GET /a\x1b]0;pwned\x07 ok", 0, `GET /a\x1b]0;pwned\x07 ok`},
		{"商品名\u009b31m", 0, `商品名\u009b31m`},
		{"bad\xffutf8", 0, `bad\xffutf8`},
		{"商品名", 4, "商"}, // cut at a character boundary
		{"\u202eevil", 3, `\u202e`},
		{"short", 10, "short"},
	} {
		if got := Cap(c.in, c.max); got != c.want {
			t.Errorf("Cap(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
