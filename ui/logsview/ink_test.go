package logsview

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/logtail"
	"github.com/richs/richsops/ui/common"
)

// Every style of common.Styles, taken apart, paints a row exactly as
// Render does; styles that do more than wrap a line (underlined spaces,
// padding, a width) fall back to Render.
func TestInkPaintsAsLipgloss(t *testing.T) {
	rows := []string{"", " ", "2026-11-27 03:12:07,123 ERROR inventory.check 商品 「テスト商品」  price=1980   ", "ｱｲｳ…", "x"}
	for name, dark := range map[string]bool{"dark": true, "light": false} {
		st := common.StylesFor(dark)
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
	}
}

// panesModel is a w x h tab with n panes of lines django lines each
// (text(i) after the time and level), in the given layout.
func panesModel(d *common.Deps, w, h int, lay layout, n, lines int, text func(i int) string) *Model {
	levels := []string{"INFO", "INFO", "WARNING", "INFO", "ERROR", "DEBUG"}
	m := &Model{d: d, w: w, h: h, layout: lay}
	for id := range n {
		p := newPane(id, source{Name: "log" + strconv.Itoa(id), Kind: "django"}, 10000)
		batch := make([]logtail.Line, lines)
		for i := range batch {
			batch[i] = logtail.Line{Text: "2026-11-27 03:12:07,123 " + levels[i%len(levels)] + " " + text(i)}
		}
		p.ingest(logtail.Batch{Lines: batch})
		m.panes = append(m.panes, p)
	}
	m.layoutPanes()
	return m
}

// The panes side by side are what lipgloss.JoinHorizontal makes of them,
// in colour, with a search highlight, a selected line and a wrapped pane.
func TestPanesViewJoinsAsLipgloss(t *testing.T) {
	d := &common.Deps{Lang: "en", Styles: common.DefaultStyles()}
	for _, lay := range []layout{layoutColumns, layoutRows, layoutGrid} {
		m := panesModel(d, 121, 40, lay, 3, 300, func(i int) string { return "商品" + strconv.Itoa(i) + strings.Repeat(" テスト", i%9) })
		m.panes[0].search = "テスト"
		m.panes[1].wrap = true
		m.panes[2].follow, m.panes[2].cursor = false, 290
		m.layoutPanes()

		// The reference: the pane blocks and separator columns joined by
		// lipgloss.
		sep := d.Styles.Muted.Render
		var rows []string
		for start, cols := 0, m.columns(); start < len(m.panes); start += cols {
			var blocks []string
			for i := start; i < min(start+cols, len(m.panes)); i++ {
				if i > start {
					blocks = append(blocks, sep(strings.TrimSuffix(strings.Repeat("│\n", m.panes[i].h), "\n")))
				}
				blocks = append(blocks, m.panes[i].render(m.ink(), d.Styles, d.T, i == m.focus))
			}
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, blocks...))
		}
		if got, want := m.panesView(), strings.Join(rows, "\n"); got != want {
			t.Errorf("layout %d: panesView differs from lipgloss.JoinHorizontal:\n%q\n%q", lay, got, want)
		}
	}
}

// A pane whose first lines stopped at the scan limit says how many it has.
func TestPaneHeaderSaysShort(t *testing.T) {
	p := newPane(1, source{Name: "app", Kind: "django"}, 100)
	p.ingest(logtail.Batch{Lines: []logtail.Line{{Text: "a"}}, Short: &logtail.Short{Found: 1, Wanted: 200}})
	p.w = 120
	tr := func(en, ja string) string { return en }
	if h := p.header(&common.Styles{}, tr, false); !strings.Contains(h, "only 1 of 200 lines in the last 256 MiB") {
		t.Errorf("header = %q", h)
	}
}
