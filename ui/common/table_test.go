package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidthHelpers(t *testing.T) {
	red := DefaultStyles().Crit
	for _, c := range []struct {
		name, in  string
		w         int
		cut, pad  string
		cutPadLen int
	}{
		{"fits", "abc", 5, "abc", "abc  ", 5},
		{"exact", "abcde", 5, "abcde", "abcde", 5},
		{"cut", "abcdefg", 5, "abcd…", "abcdefg", 5},
		{"japanese fits", "日本語", 6, "日本語", "日本語", 6},
		{"japanese cut", "日本語です", 6, "日本…", "日本語です", 6},
		// a wide character never straddles the edge: one blank cell more
		{"japanese odd", "日本語です", 5, "日本…", "日本語です", 5},
		{"japanese edge", "日本語です", 4, "日…", "日本語です", 4},
		{"zero", "abc", 0, "", "abc", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Cut(c.in, c.w); got != c.cut {
				t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.w, got, c.cut)
			}
			if got := Pad(c.in, c.w); got != c.pad {
				t.Errorf("Pad(%q, %d) = %q, want %q", c.in, c.w, got, c.pad)
			}
			if got := CutPad(c.in, c.w); Width(got) != c.cutPadLen {
				t.Errorf("CutPad(%q, %d) = %q (%d cells)", c.in, c.w, got, Width(got))
			}
			// styled text cuts and pads the same, escapes taking no cells
			if got := ansi.Strip(CutPad(red.Render(c.in), c.w)); got != CutPad(c.in, c.w) && c.w > 0 {
				t.Errorf("styled CutPad(%q, %d) = %q, want %q", c.in, c.w, got, CutPad(c.in, c.w))
			}
		})
	}
}

func TestTableColumnsInCells(t *testing.T) {
	st := DefaultStyles()
	tb := &Table{Columns: []Column{{Title: "名前", Width: 8}, {Title: "STATE", Width: 6}, {Title: "NOTE", Width: 4, Flex: true}, {Title: "サイズ", Width: 7, Right: true}}}
	rows := [][]string{
		{"ジョブ", st.OK.Render("有効"), "short", "1 KiB"},
		{"a-very-long-job-name", "active", strings.Repeat("x", 100), "1.5 MiB"},
	}
	lines := tb.Lines(st, rows, -1, 40, 10)
	if len(lines) != 3 {
		t.Fatalf("lines %d: %q", len(lines), lines)
	}
	want := []string{
		" 名前     STATE  NOTE             サイズ",
		" ジョブ   有効   short             1 KiB",
		" a-very-… active " + strings.Repeat("x", 14) + "… 1.5 MiB",
	}
	for i, w := range want {
		got := ansi.Strip(lines[i])
		if got != w {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
		if Width(got) > 40 {
			t.Errorf("line %d is %d cells wide", i, Width(got))
		}
	}
	// the second column starts at the same cell on every line
	for i, l := range want {
		if idx := strings.Index(l, map[int]string{0: "STATE", 1: "有効", 2: "active"}[i]); Width(l[:idx]) != 10 {
			t.Errorf("line %d: column 2 at cell %d, want 10", i, Width(l[:idx]))
		}
	}
}

func TestTableSelectionScrolls(t *testing.T) {
	st := DefaultStyles()
	tb := &Table{Columns: []Column{{Title: "N", Width: 4}}}
	var rows [][]string
	for i := range 10 {
		rows = append(rows, []string{string(rune('a' + i))})
	}
	view := func(cur int) []string {
		var out []string
		for _, l := range tb.Lines(st, rows, cur, 20, 4)[1:] { // 3 rows fit
			out = append(out, strings.TrimSpace(ansi.Strip(l)))
		}
		return out
	}
	steps := []struct {
		cur  int
		want string
	}{
		{0, "▶a b c"},
		{2, "a b ▶c"},
		{3, "b c ▶d"}, // down past the bottom: scroll by one
		{2, "b ▶c d"}, // up inside the view: the view stays
		{1, "▶b c d"},
		{0, "▶a b c"},
		{9, "h i ▶j"}, // G
		{-1, "h i j"}, // no selection: stays
	}
	for _, s := range steps {
		if got := strings.Join(view(s.cur), " "); got != s.want {
			t.Errorf("cursor %d: %q, want %q", s.cur, got, s.want)
		}
	}
	// the selected row is drawn across the whole width
	if l := tb.Lines(st, rows, 9, 20, 4)[3]; Width(l) != 20 || !strings.HasPrefix(ansi.Strip(l), Marker) {
		t.Errorf("selected row %q: %d cells", ansi.Strip(l), Width(l))
	}
	// fewer rows than room: the view starts at the top
	if got := tb.Lines(st, rows[:2], 1, 20, 4); len(got) != 3 {
		t.Errorf("short list: %d lines", len(got))
	}
}
