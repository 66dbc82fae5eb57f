package logsview

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ui/common"
)

// ink is a lipgloss style taken apart once into the escape
// sequences it writes before and after one line of text, so that a row is
// pre + text + suf. Style.Render measures and re-colours per call (about
// half of a frame of four full panes, BenchmarkPanesView); a pane paints
// some fifty rows per frame with the same five styles.
type ink struct {
	style    lipgloss.Style
	pre, suf string
	split    bool // false: the style does more than wrap a line; Render it
}

// inkProbe has what a row may hold (sanitized text: no tabs, no newlines):
// spaces and wide characters, which some styles treat apart.
const inkProbe = "a b 日本"

func newInk(style lipgloss.Style) ink {
	k := ink{style: style}
	r := style.Render("\x00")
	i := strings.IndexByte(r, 0)
	if i < 0 || strings.Count(r, "\x00") != 1 {
		return k
	}
	k.pre, k.suf = r[:i], r[i+1:]
	k.split = style.Render(inkProbe) == k.pre+inkProbe+k.suf
	return k
}

// paint is style.Render(text) for one line of sanitized text.
func (k ink) paint(text string) string {
	if !k.split {
		return k.style.Render(text)
	}
	return k.pre + text + k.suf
}

// inks are the styles a pane paints its rows with.
type inks struct {
	levels   [levelError + 1]ink
	selected ink
	match    ink
	dim      ink // context lines around filter matches, group separators
}

// newInks takes st apart. The tab does it once (Model.ink), and again
// when the terminal's background colour changes the styles.
func newInks(st *common.Styles) *inks {
	k := &inks{selected: newInk(st.Selected), match: newInk(st.Match), dim: newInk(st.Muted)}
	for l := range k.levels {
		k.levels[l] = newInk(levelStyle(st, level(l)))
	}
	return k
}
