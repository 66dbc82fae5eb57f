package sanitize_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/sanitizetest"
)

// writeInTwo is what a Writer makes of s written as s[:cut], s[cut:].
func writeInTwo(s string, cut int) string {
	var b bytes.Buffer
	w := sanitize.NewWriter(&b)
	w.Write([]byte(s[:cut]))
	w.Write([]byte(s[cut:]))
	w.Flush()
	return b.String()
}

// TestWriterCorpus: every hostile string, written whole and cut at every
// byte into two writes, comes out safe, and as Line escapes it.
func TestWriterCorpus(t *testing.T) {
	for _, s := range append(sanitizetest.Corpus, "日本語\t列\n二行目 商品", "ok\n") {
		for cut := 0; cut <= len(s); cut++ {
			got := writeInTwo(s, cut)
			sanitizetest.Check(t, "Writer", got)
			var want []string
			for _, l := range strings.Split(s, "\n") {
				var parts []string
				for _, p := range strings.Split(l, "\t") {
					parts = append(parts, sanitize.String(p))
				}
				want = append(want, strings.Join(parts, "\t"))
			}
			if got != strings.Join(want, "\n") {
				t.Fatalf("%q cut at %d: %q, want %q", s, cut, got, strings.Join(want, "\n"))
			}
		}
	}
}

// TestWriterPassesCleanText: clean text, Japanese split anywhere included,
// is written unchanged.
func TestWriterPassesCleanText(t *testing.T) {
	s := "JOB  STATE\ncheck_item_yahoo  稼働中 【新品未開封】\n"
	for cut := 0; cut <= len(s); cut++ {
		if got := writeInTwo(s, cut); got != s {
			t.Fatalf("cut at %d: %q", cut, got)
		}
	}
}

// TestJSONSameValueSafeBytes: the escaped JSON decodes to the same value
// and holds nothing a terminal acts on.
func TestJSONSameValueSafeBytes(t *testing.T) {
	for _, s := range sanitizetest.Corpus {
		raw, _ := json.MarshalIndent(map[string]any{"argv": []string{s, "日本語"}}, "", "  ")
		out := sanitize.JSON(raw)
		sanitizetest.Check(t, "JSON", string(out))
		var a, b any
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("%q: not JSON any more: %v: %s", s, err, out)
		}
		if ja, _ := json.Marshal(a); string(ja) != mustMarshal(t, b) {
			t.Errorf("%q: the value changed: %s", s, out)
		}
	}
}

func mustMarshal(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStyled: lipgloss' SGR styling and newlines pass; every other
// sequence and control is escaped.
func TestStyled(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain\nrows", "plain\nrows"},
		{"\x1b[1;38;5;196mbold\x1b[0m\n\x1b[m", "\x1b[1;38;5;196mbold\x1b[0m\n\x1b[m"},
		{"\x1b[31mpid 1\x1b]52;c;eA==\x07\x1b[0m", "\x1b[31mpid 1\\x1b]52;c;eA==\\x07\x1b[0m"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"title\x1b]0;x\x1b\\", `title\x1b]0;x\x1b\`},
		{"\x1b[", `\x1b[`},
	} {
		if got := sanitize.Styled(c.in); got != c.want {
			t.Errorf("Styled(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, s := range sanitizetest.Corpus {
		// SGR passes, a box string's too (colour only): what the net
		// stops is everything else.
		sanitizetest.CheckStyled(t, "Styled", sanitize.Styled("\x1b[1m"+s+"\x1b[0m\n"+s))
	}
}

func FuzzStyled(f *testing.F) {
	for _, s := range sanitizetest.Corpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := sanitize.Styled(s)
		// What passes raw is SGR only: take those out and nothing may
		// remain that a terminal acts on.
		var rest strings.Builder
		for i := 0; i < len(out); i++ {
			if out[i] == 0x1b {
				j := i + 2
				for j < len(out) && (out[j] >= '0' && out[j] <= '9' || out[j] == ';' || out[j] == ':') {
					j++
				}
				if i+1 >= len(out) || out[i+1] != '[' || j >= len(out) || out[j] != 'm' {
					t.Fatalf("Styled(%q) = %q: ESC not starting SGR at %d", s, out, i)
				}
				i = j
				continue
			}
			rest.WriteByte(out[i])
		}
		sanitizetest.Check(t, "Styled", rest.String())
	})
}

// TestUnwrap: a progress line reaches the file under a Writer; anything
// else is its own writer.
func TestUnwrap(t *testing.T) {
	var b bytes.Buffer
	if sanitize.Unwrap(sanitize.NewWriter(&b)) != &b || sanitize.Unwrap(&b) != &b {
		t.Fatal("Unwrap does not find the writer underneath")
	}
}

// BenchmarkStyledFrame: the console's net on a full 160x48 frame of
// coloured log lines, Japanese among them, as every frame pays it.
func BenchmarkStyledFrame(b *testing.B) {
	row := "\x1b[38;5;244m2026-11-27 03:12:07\x1b[0m \x1b[1;32mINFO\x1b[0m inventory.check 商品 1234567 ok price=1980 stock=3 url=https://example.com/item/12345"
	frame := strings.Repeat(row+strings.Repeat(" ", 30)+"\n", 48)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		_ = sanitize.Styled(frame)
	}
}
