package lineinput

import (
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/richs/richsops/ops/sanitize/cells"
)

const rev = "\x1b[7m" // reverse video, the cursor

func runes(s string) tea.KeyPressMsg {
	if r := []rune(s); len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: s}
	}
	return tea.KeyPressMsg{Code: tea.KeyExtended, Text: s}
}

// paste is a bracketed paste as ui.App hands it on: one key with the text.
func paste(s string) tea.KeyPressMsg      { return tea.KeyPressMsg{Code: tea.KeyExtended, Text: s} }
func key(c rune) tea.KeyPressMsg          { return tea.KeyPressMsg{Code: c} }
func ctrl(c rune) tea.KeyPressMsg         { return tea.KeyPressMsg{Code: c, Mod: tea.ModCtrl} }
func alt(c rune) tea.KeyPressMsg          { return tea.KeyPressMsg{Code: c, Mod: tea.ModAlt} }
func altRune(r rune) tea.KeyPressMsg      { return alt(r) }
func space() tea.KeyPressMsg              { return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "} }
func focused(value string, pos int) Model { return at(New(), value, pos) }

// at is m focused, holding value, with the cursor at rune pos.
func at(m Model, value string, pos int) Model {
	m.Focus()
	m.SetValue(value)
	m.SetCursor(pos)
	return m
}

// show is the value with a | where the cursor is.
func show(m Model) string {
	v := []rune(m.Value())
	return string(v[:m.Position()]) + "|" + string(v[m.Position():])
}

// parse turns "ab|cd" into a focused model holding "abcd", cursor at 2.
func parse(s string) Model {
	i := strings.IndexByte(s, '|')
	return focused(s[:i]+s[i+1:], utf8.RuneCountInString(s[:i]))
}

func TestKeys(t *testing.T) {
	cases := []struct {
		name, before string
		msg          tea.KeyPressMsg
		str          string // the key's String(), which Update matches on
		after        string
	}{
		{"type", "ab|cd", runes("x"), "x", "abx|cd"},
		{"type several", "|", runes("héllo"), "héllo", "héllo|"},
		{"type Japanese", "日|語", runes("本"), "本", "日本|語"},
		{"space", "ab|", space(), "space", "ab |"},
		{"left", "ab|cd", key(tea.KeyLeft), "left", "a|bcd"},
		{"left at start", "|ab", key(tea.KeyLeft), "left", "|ab"},
		{"ctrl+b", "ab|cd", ctrl('b'), "ctrl+b", "a|bcd"},
		{"right", "ab|cd", key(tea.KeyRight), "right", "abc|d"},
		{"right at end", "ab|", key(tea.KeyRight), "right", "ab|"},
		{"ctrl+f", "ab|cd", ctrl('f'), "ctrl+f", "abc|d"},
		{"alt+left", "one two th|ree", alt(tea.KeyLeft), "alt+left", "one two |three"},
		{"alt+left over spaces", "one two  |x", alt(tea.KeyLeft), "alt+left", "one |two  x"},
		{"ctrl+left", "one two|", ctrl(tea.KeyLeft), "ctrl+left", "one |two"},
		{"alt+b", "one two|", altRune('b'), "alt+b", "one |two"},
		{"alt+right", "o|ne two", alt(tea.KeyRight), "alt+right", "one| two"},
		{"alt+right over spaces", "one|  two x", alt(tea.KeyRight), "alt+right", "one  two| x"},
		{"ctrl+right", "one| two", ctrl(tea.KeyRight), "ctrl+right", "one two|"},
		{"alt+f", "|one two", altRune('f'), "alt+f", "one| two"},
		{"home", "ab|cd", key(tea.KeyHome), "home", "|abcd"},
		{"ctrl+a", "ab|cd", ctrl('a'), "ctrl+a", "|abcd"},
		{"end", "ab|cd", key(tea.KeyEnd), "end", "abcd|"},
		{"ctrl+e", "ab|cd", ctrl('e'), "ctrl+e", "abcd|"},
		{"backspace", "ab|cd", key(tea.KeyBackspace), "backspace", "a|cd"},
		{"backspace at start", "|ab", key(tea.KeyBackspace), "backspace", "|ab"},
		{"backspace Japanese", "日本|語", key(tea.KeyBackspace), "backspace", "日|語"},
		{"ctrl+h", "ab|cd", ctrl('h'), "ctrl+h", "a|cd"},
		{"delete", "ab|cd", key(tea.KeyDelete), "delete", "ab|d"},
		{"delete at end", "ab|", key(tea.KeyDelete), "delete", "ab|"},
		{"ctrl+d", "ab|cd", ctrl('d'), "ctrl+d", "ab|d"},
		{"alt+backspace", "one two|", alt(tea.KeyBackspace), "alt+backspace", "one |"},
		{"alt+backspace mid-word", "one tw|o", alt(tea.KeyBackspace), "alt+backspace", "one |o"},
		{"ctrl+w", "one two  |x", ctrl('w'), "ctrl+w", "one |x"},
		{"alt+delete", "one| two x", alt(tea.KeyDelete), "alt+delete", "one| x"},
		{"alt+d", "|one two", altRune('d'), "alt+d", "| two"},
		{"ctrl+k", "ab|cd", ctrl('k'), "ctrl+k", "ab|"},
		{"ctrl+u", "ab|cd", ctrl('u'), "ctrl+u", "|cd"},
		{"unbound alt+x ignored", "ab|", altRune('x'), "alt+x", "ab|"},
		{"tab ignored", "ab|", key(tea.KeyTab), "tab", "ab|"},
		{"enter ignored", "ab|", key(tea.KeyEnter), "enter", "ab|"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.msg.String(); got != c.str {
				t.Fatalf("the key's String() is %q, want %q", got, c.str)
			}
			m, cmd := parse(c.before).Update(c.msg)
			if got := show(m); got != c.after {
				t.Errorf("%q + %s = %q, want %q", c.before, c.str, got, c.after)
			}
			if cmd != nil {
				t.Error("Update returned a command")
			}
		})
	}
}

func TestPasteAndCleaning(t *testing.T) {
	cases := []struct {
		name   string
		limit  int
		before string
		msg    tea.KeyPressMsg
		after  string
	}{
		{"paste", 0, "a|b", paste("xyz"), "axyz|b"},
		{"paste without Paste flag", 0, "a|b", runes("xyz"), "axyz|b"},
		{"newlines and tabs become spaces", 0, "|", paste("one\ntwo\tthree\r\nfour\rfive"), "one two three four five|"},
		{"controls dropped", 0, "|", paste("a\x1b[31mb\x00c\x07d\x7fe\u0085f\u009bg"), "a[31mbcdefg|"},
		{"bidi overrides dropped", 0, "|", paste("ab\u202ecd\u2066e"), "abcde|"},
		{"invalid runes dropped", 0, "|", paste("a\xed\xa0\x80b\xf4\x90\x80\x80"), "ab|"},
		{"limit cuts the paste", 5, "a|b", paste("12345"), "a123|b"},
		{"limit full", 3, "ab|c", runes("x"), "ab|c"},
		{"limit counts runes", 4, "|", paste("日本語です"), "日本語で|"},
		{"limit after cleaning", 4, "|", paste("\x1b\x1b\x1babcdef"), "abcd|"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := New()
			m.CharLimit = c.limit
			i := strings.IndexByte(c.before, '|')
			m = at(m, c.before[:i]+c.before[i+1:], i)
			m, _ = m.Update(c.msg)
			if got := show(m); got != c.after {
				t.Errorf("got %q, want %q", got, c.after)
			}
		})
	}
}

func TestSetValue(t *testing.T) {
	m := New()
	m.CharLimit = 6
	m.SetValue("ab\x1b\ncdefgh\xff")
	if got := m.Value(); got != "ab cde" {
		t.Errorf("SetValue kept %q, want %q", got, "ab cde")
	}
	if m.Position() != 6 {
		t.Errorf("cursor %d after SetValue on an empty input, want the end", m.Position())
	}
	m.SetCursor(2)
	m.SetValue("xyz")
	if m.Position() != 2 {
		t.Errorf("cursor %d, want it left at 2", m.Position())
	}
	m.SetValue("x")
	if m.Position() != 1 {
		t.Errorf("cursor %d, want it pulled back to the end (1)", m.Position())
	}
	m.CursorStart()
	if m.Position() != 0 {
		t.Errorf("CursorStart: %d", m.Position())
	}
	m.SetCursor(99)
	if m.Position() != 1 {
		t.Errorf("SetCursor(99): %d", m.Position())
	}
	m.SetCursor(-3)
	if m.Position() != 0 {
		t.Errorf("SetCursor(-3): %d", m.Position())
	}
}

func TestBlurredIgnoresKeys(t *testing.T) {
	m := New()
	m.SetValue("abc")
	if m.Focused() {
		t.Fatal("New is focused")
	}
	for _, msg := range []tea.KeyPressMsg{runes("x"), paste("y"), key(tea.KeyBackspace), ctrl('u'), key(tea.KeyHome)} {
		m, _ = m.Update(msg)
	}
	if show(m) != "abc|" {
		t.Errorf("a blurred input changed: %q", show(m))
	}
	if cmd := m.Focus(); cmd != nil || !m.Focused() {
		t.Error("Focus: want focused and no command (no blink timer)")
	}
	m, _ = m.Update(runes("d"))
	m.Blur()
	m, _ = m.Update(runes("e"))
	if m.Value() != "abcd" || m.Focused() {
		t.Errorf("after Blur: %q focused=%v", m.Value(), m.Focused())
	}
	// Not a key: ignored.
	if m2, cmd := m.Update(tea.WindowSizeMsg{Width: 3}); m2.Value() != "abcd" || cmd != nil {
		t.Error("a non-key message changed the input")
	}
}

func TestView(t *testing.T) {
	ph := New()
	ph.Placeholder = "restart"
	cases := []struct {
		name   string
		m      Model
		plain  string // View without escapes
		cursor string // the text drawn in reverse video ("" for none)
	}{
		{"cursor at end", focused("abc", 3), "> abc ", " "},
		{"cursor on a char", focused("abc", 1), "> abc", "b"},
		{"cursor on Japanese", focused("日本語", 1), "> 日本語", "本"},
		{"empty", focused("", 0), ">  ", " "},
		{"placeholder focused", at(ph, "", 0), "> restart", "r"},
		{"placeholder blurred", ph, "> restart", ""},
		{"blurred text", func() Model { m := focused("abc", 1); m.Blur(); return m }(), "> abc", ""},
		{"prompt", func() Model { m := focused("x", 1); m.Prompt = "args> "; return m }(), "args> x ", " "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.m.View()
			if got := ansi.Strip(v); got != c.plain {
				t.Errorf("View %q, want %q", got, c.plain)
			}
			if got := reversed(v); got != c.cursor {
				t.Errorf("reverse video on %q, want %q (view %q)", got, c.cursor, v)
			}
		})
	}
	v := at(ph, "", 0).View()
	if !strings.Contains(v, "\x1b[2m") || !strings.Contains(ansi.Strip(v[strings.Index(v, "\x1b[2m"):]), "estart") {
		t.Errorf("placeholder not faint: %q", v)
	}
}

// reversed returns the text drawn in reverse video in v, "" if none.
func reversed(v string) string {
	i := strings.Index(v, rev)
	if i < 0 {
		return ""
	}
	rest := v[i+len(rev):]
	return rest[:strings.Index(rest, "\x1b[")]
}

// TestWindow moves the cursor over text wider than Width, typed, pasted and
// set, and checks that the text drawn fits, is a piece of the value, and
// shows the cursor.
func TestWindow(t *testing.T) {
	for _, text := range []string{
		"日本語のテキストを編集するテスト",
		"mixed 日本語 and ASCII テキスト here",
		"0123456789abcdefghijklmnopqrstuvwxyz",
	} {
		for _, width := range []int{2, 3, 7, 10, 11} {
			m := New()
			m.Width = width
			m.Focus()
			check := func(how string) {
				t.Helper()
				v := m.View()
				body := strings.TrimPrefix(ansi.Strip(v), m.Prompt)
				if w := cells.Width(body); w > width {
					t.Fatalf("%q w=%d %s: %q is %d cells", text, width, how, body, w)
				}
				value := []rune(m.Value())
				want := " "
				if m.Position() < len(value) {
					want = string(value[m.Position()])
				}
				if got := reversed(v); got != want {
					t.Fatalf("%q w=%d %s pos %d: cursor on %q, want %q (%q)", text, width, how, m.Position(), got, want, body)
				}
				if !strings.Contains(m.Value()+" ", body) {
					t.Fatalf("%q w=%d %s: %q is not a piece of the value", text, width, how, body)
				}
			}
			for _, r := range text {
				m, _ = m.Update(runes(string(r)))
				check("typing")
			}
			for range len([]rune(text)) + 1 {
				m, _ = m.Update(key(tea.KeyLeft))
				check("left")
			}
			for range 3 {
				m, _ = m.Update(alt(tea.KeyRight))
				check("word right")
			}
			m, _ = m.Update(key(tea.KeyEnd))
			check("end")
			for range len([]rune(text)) {
				m, _ = m.Update(key(tea.KeyBackspace))
				check("backspace")
			}
			m.SetValue(text)
			m.CursorEnd()
			check("set")
			m.CursorStart()
			check("start")
			m, _ = m.Update(paste(text))
			check("paste")
		}
	}
}

// TestWindowSteady: moving the cursor within the shown text does not scroll
// it, and deleting at the end pulls earlier text back into view.
func TestWindowSteady(t *testing.T) {
	m := New()
	m.Width = 10
	m.Focus()
	m, _ = m.Update(paste("0123456789abcdefghij"))
	body := func() string { return strings.TrimPrefix(ansi.Strip(m.View()), m.Prompt) }
	if got := body(); got != "bcdefghij " {
		t.Fatalf("at the end: %q", got)
	}
	for range 5 {
		m, _ = m.Update(key(tea.KeyLeft))
		if got := body(); got != "bcdefghij" {
			t.Fatalf("moving left inside the view scrolled it: %q", got)
		}
	}
	m.CursorStart()
	if got := body(); got != "0123456789" {
		t.Fatalf("at the start: %q", got)
	}
	m.CursorEnd()
	m, _ = m.Update(key(tea.KeyBackspace))
	m, _ = m.Update(key(tea.KeyBackspace))
	if got := body(); got != "9abcdefgh " {
		t.Fatalf("after deleting at the end: %q", got)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add([]byte("hello\x01\x02 world\x10"), uint8(0), uint8(0))
	f.Add([]byte("日本語\n\t\x1b[31m\xff\xfe\x03\x04\x05"), uint8(5), uint8(6))
	f.Add([]byte("\u0085\u202e\r\n\x7fabc\x06\x07\x08\x09\x0a\x0b\x0c"), uint8(3), uint8(2))
	f.Fuzz(fuzzSteps)
}

// fuzzKeys are the editing keys FuzzUpdate presses.
var fuzzKeys = []tea.KeyPressMsg{
	key(tea.KeyLeft), key(tea.KeyRight), alt(tea.KeyLeft), alt(tea.KeyRight),
	key(tea.KeyHome), key(tea.KeyEnd), key(tea.KeyBackspace), key(tea.KeyDelete),
	alt(tea.KeyBackspace), alt(tea.KeyDelete), ctrl('k'), ctrl('u'),
	ctrl('w'), altRune('d'), altRune('b'), space(),
}

func fuzzSteps(t *testing.T, data []byte, limit, width uint8) {
	if len(data) > 2048 { // a prompt's worth; every step below redraws
		data = data[:2048]
	}
	m := New()
	m.CharLimit = int(limit % 16)
	m.Width = int(width % 12)
	m.Focus()
	m.SetValue(string(data))
	for len(data) > 0 {
		op := data[0]
		data = data[1:]
		switch {
		case op < 0x10:
			m, _ = m.Update(fuzzKeys[op])
		case op < 0x20:
			m.SetCursor(int(op) - 0x14)
		default: // the next few bytes, typed or pasted, valid or not
			n := min(len(data), int(op%7))
			msg := runes(string(data[:n]) + string(rune(op)<<(op%13)))
			m, _ = m.Update(msg)
			data = data[n:]
		}
		v := m.Value()
		if !utf8.ValidString(v) {
			t.Fatalf("invalid UTF-8: %q", v)
		}
		for _, r := range v {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("control %U in %q", r, v)
			}
		}
		n := utf8.RuneCountInString(v)
		if p := m.Position(); p < 0 || p > n {
			t.Fatalf("cursor %d outside [0, %d]", p, n)
		}
		if m.CharLimit > 0 && n > m.CharLimit {
			t.Fatalf("%d runes over the limit %d", n, m.CharLimit)
		}
		if s, e := m.window(m.offset); s > m.Position() || e < m.Position() || (e == m.Position() && e != n) {
			t.Fatalf("window [%d, %d) hides the cursor %d of %d", s, e, m.Position(), n)
		}
		_ = m.View()
	}
}
