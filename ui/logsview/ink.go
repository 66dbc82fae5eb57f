package logsview

import (
	"strings"
	"sync"

	"github.com/muesli/termenv"

	"github.com/charmbracelet/lipgloss"

	"github.com/richs/richsops/ui/common"
)

// ink is a lipgloss style taken apart once per frame into the escape
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

// inks are the styles of one pane's frame.
type inks struct {
	levels   [levelError + 1]ink
	selected ink
	match    ink
}

// inksFor takes st apart once and again only when what a style's colours
// turn into changes (the colour profile, a light or dark background):
// taking the seven styles apart costs as much as painting a whole pane.
func inksFor(st *common.Styles) *inks {
	key := inkKey{st, lipgloss.ColorProfile(), lipgloss.HasDarkBackground()}
	inkCache.Lock()
	defer inkCache.Unlock()
	if inkCache.k == nil || inkCache.key != key {
		k := &inks{selected: newInk(st.Selected), match: newInk(st.Match)}
		for l := range k.levels {
			k.levels[l] = newInk(levelStyle(st, level(l)))
		}
		inkCache.key, inkCache.k = key, k
	}
	return inkCache.k
}

type inkKey struct {
	st      *common.Styles
	profile termenv.Profile
	dark    bool
}

var inkCache struct {
	sync.Mutex
	key inkKey
	k   *inks
}
