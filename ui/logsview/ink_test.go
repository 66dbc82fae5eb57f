package logsview

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ui/common"
)

// withProfile runs f with lipgloss in colour profile p.
func withProfile(t *testing.T, p termenv.Profile, f func()) {
	t.Helper()
	old := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(p)
	defer lipgloss.SetColorProfile(old)
	f()
}

var profiles = map[string]termenv.Profile{"ascii": termenv.Ascii, "ansi": termenv.ANSI, "256": termenv.ANSI256, "truecolor": termenv.TrueColor}

// Every style of common.Styles, taken apart, paints a row exactly as
// Render does; styles that do more than wrap a line (underlined spaces,
// padding, a width) fall back to Render.
func TestInkPaintsAsLipgloss(t *testing.T) {
	rows := []string{"", " ", "2026-11-27 03:12:07,123 ERROR inventory.check 商品 「テスト商品」  price=1980   ", "ｱｲｳ…", "x"}
	for name, p := range profiles {
		withProfile(t, p, func() {
			st := common.DefaultStyles()
			v := reflect.ValueOf(*st)
			styles := map[string]lipgloss.Style{
				"underline": lipgloss.NewStyle().Underline(true).Foreground(lipgloss.Color("1")),
				"padded":    lipgloss.NewStyle().Padding(0, 1).Background(lipgloss.Color("4")),
				"wide":      lipgloss.NewStyle().Width(90),
			}
			for i := range v.NumField() {
				styles[v.Type().Field(i).Name] = v.Field(i).Interface().(lipgloss.Style)
			}
			for sname, s := range styles {
				k := newInk(s)
				for _, r := range rows {
					if got, want := k.paint(r), s.Render(r); got != want {
						t.Errorf("%s, %s: paint(%q) = %q, Render = %q", name, sname, r, got, want)
					}
				}
			}
		})
	}
}

// The panes side by side are what lipgloss.JoinHorizontal makes of them,
// in colour, with a search highlight, a selected line and a wrapped pane.
func TestPanesViewJoinsAsLipgloss(t *testing.T) {
	withProfile(t, termenv.ANSI256, func() {
		d := &common.Deps{Lang: "en", Styles: common.DefaultStyles()}
		for _, layout := range []layout{layoutColumns, layoutRows, layoutGrid} {
			m := &Model{d: d, w: 121, h: 40, layout: layout}
			for id := range 3 {
				p := newPane(id, source{Name: "log" + strconv.Itoa(id), Kind: "django"}, 1000)
				var lines []logtail.Line
				for i := range 300 {
					lines = append(lines, logtail.Line{Text: "2026-11-27 03:12:07,123 " + []string{"INFO", "ERROR", "WARNING"}[i%3] + " 商品" + strconv.Itoa(i) + strings.Repeat(" テスト", i%9)})
				}
				p.ingest(logtail.Batch{Lines: lines})
				m.panes = append(m.panes, p)
			}
			m.panes[0].search = "テスト"
			m.panes[1].wrap = true
			m.panes[2].follow, m.panes[2].cursor = false, 290
			m.layoutPanes()

			// The reference: the pane blocks and separator columns joined
			// by lipgloss.
			sep := d.Styles.Muted.Render
			var rows []string
			for start, cols := 0, m.columns(); start < len(m.panes); start += cols {
				var blocks []string
				for i := start; i < min(start+cols, len(m.panes)); i++ {
					if i > start {
						blocks = append(blocks, sep(strings.TrimSuffix(strings.Repeat("│\n", m.panes[i].h), "\n")))
					}
					blocks = append(blocks, m.panes[i].render(d.Styles, d.T, i == m.focus))
				}
				rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, blocks...))
			}
			if got, want := m.panesView(), strings.Join(rows, "\n"); got != want {
				t.Errorf("layout %d: panesView differs from lipgloss.JoinHorizontal:\n%q\n%q", layout, got, want)
			}
		}
	})
}
