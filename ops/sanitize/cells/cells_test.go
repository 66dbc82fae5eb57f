package cells

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/sanitize"
)

func TestWidthJapanese(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"abc", 3},
		{"日本語", 6},
		{"ｱｲｳ", 3}, // half-width katakana
		{"商品A", 5},
		{"", 0},
	}
	for _, tt := range tests {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCutAndPad(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		cut  string
		padW int
	}{
		{"日本語テキスト", 5, "日本", 5}, // the third character would straddle the edge
		{"日本語テキスト", 6, "日本語", 6},
		{"ab日本", 3, "ab", 3},
		{"abc", 10, "abc", 10},
		{"abc", 0, "", 0},
	}
	for _, tt := range tests {
		if got := Cut(tt.in, tt.w); got != tt.cut {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.cut)
		}
		if got := Width(Pad(tt.in, tt.w)); got != tt.padW {
			t.Errorf("Width(Pad(%q, %d)) = %d, want %d", tt.in, tt.w, got, tt.padW)
		}
	}
}

func TestWrap(t *testing.T) {
	rows := Wrap("商品名：テスト商品ABC", 7)
	for _, r := range rows {
		if Width(r) > 7 {
			t.Errorf("row %q is %d cells wide", r, Width(r))
		}
	}
	if got := strings.Join(rows, ""); got != "商品名：テスト商品ABC" {
		t.Errorf("rows lose text: %q", got)
	}
	if want := []string{"商品名", "：テス", "ト商品A", "BC"}; strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("Wrap = %q, want %q", rows, want)
	}
	if got := Wrap("", 5); len(got) != 1 || got[0] != "" {
		t.Errorf("Wrap empty = %q", got)
	}
}

// FuzzCutWidthMatchesANSI holds the panes' measure to lipgloss's: on any
// sanitized text, Width is ansi.StringWidth and Cut is ansi.Truncate.
func FuzzCutWidthMatchesANSI(f *testing.F) {
	for _, s := range []string{"abc", "日本語テキスト", "ab日本", "e\u0301x", "🇯🇵🇺🇸", "👩‍👩‍👧 family", "ｱｲｳ", "a\u200db", "\u0301", "商品名：テスト商品ABC"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, raw string, w int) {
		s := sanitize.String(raw)
		w = w % 200
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
		if w < 0 {
			return
		}
		cut, n := CutWidth(s, w)
		if want := ansi.Truncate(s, w, ""); w > 0 && cut != want {
			t.Fatalf("Cut(%q, %d) = %q, ansi.Truncate = %q", s, w, cut, want)
		}
		if n != ansi.StringWidth(cut) || n > w {
			t.Fatalf("CutWidth(%q, %d) = %q, %d; its width is %d", s, w, cut, n, ansi.StringWidth(cut))
		}
	})
}
