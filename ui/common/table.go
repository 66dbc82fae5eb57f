package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Column is one column of a Table: a header and a width in cells. A Flex
// column takes the cells the others leave (at least Width); a Right column
// aligns its values to the right edge (sizes, counts).
type Column struct {
	Title string
	Width int
	Flex  bool
	Right bool
}

// Table draws every list of the console the same way: a header, columns
// cut (with an ellipsis) and padded in cells, one cell between columns, a
// marker and the Selected style on the selected row, and rows scrolled so
// the selection stays visible. The tab owns the rows and the cursor; the
// table keeps only where the view starts, so scrolling stays put while the
// selection moves inside the view.
type Table struct {
	Columns []Column
	offset  int
}

// Marker is drawn before the selected row; other rows get a blank cell.
const Marker = "▶"

// Widths are the columns' widths for a line of width cells.
func (t *Table) Widths(width int) []int {
	ws := make([]int, len(t.Columns))
	used := 1 // the marker
	flex := -1
	for i, c := range t.Columns {
		ws[i] = c.Width
		used += c.Width
		if i > 0 {
			used++
		}
		if c.Flex && flex < 0 {
			flex = i
		}
	}
	if flex >= 0 && width > used {
		ws[flex] += width - used
	}
	return ws
}

// Header is the header line, in the Header style.
func (t *Table) Header(st *Styles, width int) string {
	titles := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		titles[i] = c.Title
	}
	return st.Header.Render(Cut(" "+t.join(titles, width), width))
}

// Row is one row's cells joined into a line of width cells (no marker, no
// selection style): for a row drawn outside Lines.
func (t *Table) Row(cells []string, width int) string {
	return Cut(t.join(cells, width), max(0, width-1))
}

func (t *Table) join(cells []string, width int) string {
	ws := t.Widths(width)
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		switch {
		case i < len(t.Columns) && t.Columns[i].Right:
			c = Cut(c, w)
			b.WriteString(strings.Repeat(" ", max(0, w-Width(c))) + c)
		case i == len(ws)-1:
			b.WriteString(Cut(c, w)) // no trailing blanks
		default:
			b.WriteString(CutPad(c, w))
		}
	}
	return b.String()
}

// Lines draws the header and the rows that fit in height lines (header
// included), scrolled to show row cursor (-1: none selected). A row is its
// cells, which may be styled; the selected row is drawn plain in the
// Selected style across the whole width.
func (t *Table) Lines(st *Styles, rows [][]string, cursor, width, height int) []string {
	out := []string{t.Header(st, width)}
	room := max(1, height-1)
	t.scroll(cursor, len(rows), room)
	for i := t.offset; i < len(rows) && i < t.offset+room; i++ {
		line := t.Row(rows[i], width)
		if i == cursor {
			out = append(out, st.Selected.Render(CutPad(Marker+ansi.Strip(line), width)))
		} else {
			out = append(out, " "+line)
		}
	}
	return out
}

// scroll moves the view only as far as needed to show cursor.
func (t *Table) scroll(cursor, n, room int) {
	if cursor >= 0 {
		if cursor < t.offset {
			t.offset = cursor
		}
		if cursor >= t.offset+room {
			t.offset = cursor - room + 1
		}
	}
	t.offset = max(0, min(t.offset, n-room))
}
