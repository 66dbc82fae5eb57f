package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// colourBody returns a red painter, a coloured row of 20 cells and a body
// of five such rows.
func colourBody(t testing.TB) (red func(...string) string, row, exact string) {
	red = lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Render
	row = red("商品 テスト") + strings.Repeat(" ", 9)
	return red, row, strings.TrimSuffix(strings.Repeat(row+"\n", 5), "\n")
}

// BenchmarkChrome is what every frame adds around a tab's body: the tab
// bar, the status line, the key help and stack, on 160x48 in colour.
func BenchmarkChrome(b *testing.B) {
	s := newShell(b, false)
	s.app.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	b.ResetTimer()
	for b.Loop() {
		_ = s.app.View()
	}
}

// stack gives what lipgloss.JoinVertical gives of the body fitted to w×h
// by the lipgloss style and the lines around it: exactly fitting coloured
// bodies pass through, others are padded, wrapped and cut.
func TestStackAsLipgloss(t *testing.T) {
	red, row, exact := colourBody(t)
	bar := red("[1 Logs]") + " 2 Jobs"
	for name, tc := range map[string]struct {
		body  string
		lines []string
	}{
		"exact":          {exact, []string{red("status"), "help\nmore " + red("help")}},
		"exact, full":    {exact, []string{row, ""}},
		"exact, wider":   {exact, []string{strings.Repeat("x", 21)}},
		"short body":     {"abc", []string{"status"}},
		"exact, nothing": {exact, nil},
		// bodies that do not fit: padded, wrapped and cut by the style
		"short":     {"abc\n" + red("日本"), []string{"status"}},
		"too wide":  {exact + "\n" + row + "xx", []string{"status"}},
		"too tall":  {exact + "\n" + row, []string{"status"}},
		"one short": {strings.TrimSuffix(strings.Repeat(row+"\n", 4), "\n"), []string{"status"}},
		"narrow":    {strings.Replace(exact, row, red("x"), 1), []string{"status"}},
		"empty":     {"", []string{"status"}},
	} {
		want := lipgloss.JoinVertical(lipgloss.Left, append([]string{bar, lipgloss.NewStyle().Width(20).Height(5).MaxHeight(5).MaxWidth(20).Render(tc.body)}, tc.lines...)...)
		if got := stack(20, 5, bar, tc.body, tc.lines...); got != want {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
}
