// Package lineinput is a small one-line text editor for Bubble Tea prompts.
//
// It stands in for bubbles/textinput, with the part of its API this program
// uses, so that the binary does not import github.com/atotto/clipboard: that
// package's init looks up five clipboard tools in every PATH directory on
// every start, even for headless commands such as `richsops tail`. Pasting
// needs no clipboard here: the terminal sends it as a bracketed paste
// (tea.PasteMsg, which ui.App hands on as one key with the pasted text), and
// Update inserts it like typed text.
package lineinput

import (
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/cells"
)

// Model is a one-line editor. The zero value works (no prompt); New gives
// the textinput defaults. Mutating methods take a pointer, Update and View
// a value, as in textinput.
type Model struct {
	// Prompt is drawn before the text ("> " from New).
	Prompt string
	// Placeholder is drawn, faint, while the value is empty.
	Placeholder string
	// CharLimit is the most runes the value may hold; 0 means no limit.
	CharLimit int
	// Width is how many cells the text (and cursor) may take; 0 means no
	// limit. Longer text scrolls horizontally to keep the cursor in view.
	Width int

	// PlaceholderStyle draws the placeholder, CursorStyle the cell under
	// the cursor.
	PlaceholderStyle lipgloss.Style
	CursorStyle      lipgloss.Style

	value  []rune
	pos    int // cursor, 0..len(value)
	offset int // first rune shown when the text is wider than Width
	focus  bool
}

// New returns an empty, blurred input with the prompt "> ".
func New() Model {
	return Model{
		Prompt:           "> ",
		PlaceholderStyle: lipgloss.NewStyle().Faint(true),
		CursorStyle:      lipgloss.NewStyle().Reverse(true),
	}
}

// Focus makes the input take keys and show its cursor. The cursor is steady,
// not blinking, so Focus returns nil: no timer ticks (less CPU on an idle
// console, no redraws over SSH) and the same frame every time for goldens.
func (m *Model) Focus() tea.Cmd {
	m.focus = true
	return nil
}

// Blur stops the input taking keys and hides its cursor.
func (m *Model) Blur() { m.focus = false }

// Focused reports whether the input takes keys.
func (m Model) Focused() bool { return m.focus }

// Value returns the text.
func (m Model) Value() string { return string(m.value) }

// SetValue replaces the text, cleaned (see Update) and cut to CharLimit. As
// in textinput, the cursor moves to the end when the input was empty with
// the cursor at 0, and is pulled back when it would be past the end.
func (m *Model) SetValue(s string) {
	wasEmpty := len(m.value) == 0
	m.value = m.clip(clean(nil, decode(s)), 0)
	if (wasEmpty && m.pos == 0) || m.pos > len(m.value) {
		m.pos = len(m.value)
	}
	m.scroll()
}

// Position returns the cursor's place, in runes from the start.
func (m Model) Position() int { return m.pos }

// SetCursor moves the cursor to rune pos, kept within the text.
func (m *Model) SetCursor(pos int) {
	m.pos = max(0, min(pos, len(m.value)))
	m.scroll()
}

// CursorStart moves the cursor to the start.
func (m *Model) CursorStart() { m.SetCursor(0) }

// CursorEnd moves the cursor to the end.
func (m *Model) CursorEnd() { m.SetCursor(len(m.value)) }

// Update edits the text for a key; other messages, and any message while
// blurred, leave it as it is. Typed and pasted text is inserted at the
// cursor with tabs and newlines turned into spaces and control characters,
// bidi overrides and invalid UTF-8 dropped. The command is always nil.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focus {
		return m, nil
	}
	if k.Text != "" && !k.Mod.Contains(tea.ModAlt) && !k.Mod.Contains(tea.ModCtrl) {
		// Typed text (a paste arrives as one key with all of it, see
		// ui.App), caught before the key names below.
		m.insert(decode(k.Text))
		return m, nil
	}
	switch k.String() {
	case "left", "ctrl+b":
		m.pos = max(0, m.pos-1)
	case "right", "ctrl+f":
		m.pos = min(len(m.value), m.pos+1)
	case "alt+left", "ctrl+left", "alt+b":
		m.pos = m.wordLeft()
	case "alt+right", "ctrl+right", "alt+f":
		m.pos = m.wordRight()
	case "home", "ctrl+a":
		m.pos = 0
	case "end", "ctrl+e":
		m.pos = len(m.value)
	case "backspace", "ctrl+h":
		m.cut(m.pos-1, m.pos)
	case "delete", "ctrl+d":
		m.cut(m.pos, m.pos+1)
	case "alt+backspace", "ctrl+w":
		m.cut(m.wordLeft(), m.pos)
	case "alt+delete", "alt+d":
		m.cut(m.pos, m.wordRight())
	case "ctrl+k":
		m.cut(m.pos, len(m.value))
	case "ctrl+u":
		m.cut(0, m.pos)
	default:
		return m, nil
	}
	m.scroll()
	return m, nil
}

// insert puts rs, cleaned and cut to the room CharLimit leaves, at the
// cursor. The value gets a fresh array: Model is copied by value, and a copy
// must not see this one's edits.
func (m *Model) insert(rs []rune) {
	add := m.clip(clean(make([]rune, 0, len(rs)), rs), len(m.value))
	if len(add) == 0 {
		return
	}
	v := make([]rune, 0, len(m.value)+len(add))
	v = append(append(append(v, m.value[:m.pos]...), add...), m.value[m.pos:]...)
	m.value = v
	m.pos += len(add)
	m.scroll()
}

// cut removes the runes in [from, to), clamped to the text, and leaves the
// cursor at from.
func (m *Model) cut(from, to int) {
	from, to = max(0, from), min(len(m.value), to)
	if from >= to {
		return
	}
	v := make([]rune, 0, len(m.value)-(to-from))
	m.value = append(append(v, m.value[:from]...), m.value[to:]...)
	m.pos = from
}

// clip cuts add so that have+len(add) stays within CharLimit.
func (m Model) clip(add []rune, have int) []rune {
	if m.CharLimit > 0 && have+len(add) > m.CharLimit {
		return add[:max(0, m.CharLimit-have)]
	}
	return add
}

// wordLeft is where the word before the cursor starts: back over spaces,
// then over the word.
func (m Model) wordLeft() int {
	i := m.pos
	for i > 0 && unicode.IsSpace(m.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(m.value[i-1]) {
		i--
	}
	return i
}

// wordRight is where the word after the cursor ends: over spaces, then
// over the word.
func (m Model) wordRight() int {
	i := m.pos
	for i < len(m.value) && unicode.IsSpace(m.value[i]) {
		i++
	}
	for i < len(m.value) && !unicode.IsSpace(m.value[i]) {
		i++
	}
	return i
}

// clean appends rs to dst as a one-line value holds them: tab, newline and
// carriage return (a CRLF pair counts once) become a space; other C0
// controls, DEL, and what the display sanitizer escapes (C1 controls, bidi
// embeddings, overrides and isolates, which would reorder what is drawn) and
// invalid runes are dropped: a typed value holds no escapes.
func clean(dst, rs []rune) []rune {
	for i, r := range rs {
		switch {
		case r == '\r' && i+1 < len(rs) && rs[i+1] == '\n': // the '\n' adds the space
		case r == '\t' || r == '\n' || r == '\r':
			dst = append(dst, ' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		case sanitize.UnsafeRune(r): // the display sanitizer's list, so both agree
		case !utf8.ValidRune(r): // a surrogate or past U+10FFFF
		default:
			dst = append(dst, r)
		}
	}
	return dst
}

// decode returns the runes of s without its invalid UTF-8 bytes (which a
// []rune conversion would turn into U+FFFD).
func decode(s string) []rune {
	rs := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			rs = append(rs, r)
		}
		i += n
	}
	return rs
}

// cells is how many terminal cells the cursor's cell at i takes: the rune
// under it, or the space after the end. A zero-width rune still gets one
// cell, so the cursor can always be seen.
func (m Model) cells(i int) int {
	if i >= len(m.value) {
		return 1
	}
	return max(1, sanitize.RuneWidth(m.value[i]))
}

// window returns the runes [start, end) to draw in Width cells. It starts
// from offset, moves just enough to show the cursor's cell, then scrolls
// back while the rest of the text (and the end cursor) would still fit, so
// deleting at the end does not leave the field half empty.
func (m Model) window(offset int) (start, end int) {
	if m.Width <= 0 {
		return 0, len(m.value)
	}
	start = max(0, min(offset, m.pos))
	w := m.cells(m.pos) // the cursor's cell plus the runes before it
	for i := start; i < m.pos; i++ {
		w += sanitize.RuneWidth(m.value[i])
	}
	for start < m.pos && w > m.Width {
		w -= sanitize.RuneWidth(m.value[start])
		start++
	}
	// Past the cursor: what fits after it.
	end = m.pos
	if end < len(m.value) {
		end++
		for end < len(m.value) && w+sanitize.RuneWidth(m.value[end]) <= m.Width {
			w += sanitize.RuneWidth(m.value[end])
			end++
		}
	}
	if end == len(m.value) {
		// Fill the room left at the right with text from the left, keeping
		// a cell for the cursor after the end (already counted when it is
		// there) so that the text does not shift as the cursor leaves it.
		if m.pos < len(m.value) {
			w++
		}
		for start > 0 && w+sanitize.RuneWidth(m.value[start-1]) <= m.Width {
			start--
			w += sanitize.RuneWidth(m.value[start])
		}
	}
	return start, end
}

// scroll keeps offset where window put the text, so that the view moves
// only as far as the cursor needs.
func (m *Model) scroll() { m.offset, _ = m.window(m.offset) }

// View draws the prompt and the text, with the cell under the cursor in
// reverse video (a reverse space after the end) while focused. An empty
// value shows the placeholder, faint, the cursor on its first character.
func (m Model) View() string {
	if len(m.value) == 0 && m.Placeholder != "" {
		ph := string(clean(nil, decode(m.Placeholder)))
		if m.Width > 0 {
			ph = cells.Cut(ph, m.Width)
		}
		if ph != "" {
			if !m.focus {
				return m.Prompt + m.PlaceholderStyle.Render(ph)
			}
			_, size := utf8.DecodeRuneInString(ph)
			v := m.Prompt + m.CursorStyle.Render(ph[:size])
			if size < len(ph) {
				v += m.PlaceholderStyle.Render(ph[size:])
			}
			return v
		}
	}
	start, end := m.window(m.offset)
	var b strings.Builder
	b.WriteString(m.Prompt)
	if !m.focus {
		b.WriteString(string(m.value[start:end]))
		return b.String()
	}
	b.WriteString(string(m.value[start:m.pos]))
	if m.pos < len(m.value) {
		b.WriteString(m.CursorStyle.Render(string(m.value[m.pos])))
		b.WriteString(string(m.value[m.pos+1 : end]))
	} else {
		b.WriteString(m.CursorStyle.Render(" "))
	}
	return b.String()
}
