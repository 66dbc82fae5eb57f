package cli

import (
	"io"
	"strings"

	"github.com/richs/richsops/ops/sanitize/cells"
)

// Table is text/tabwriter for text in any script: each column is padded to
// its widest cell in terminal cells (a Japanese character takes two, which
// tabwriter counts as one), columns two spaces apart, the last unpadded.
type Table struct{ rows [][]string }

// Row adds a row; a row of no cells is an empty line.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Write prints the rows.
func (t *Table) Write(w io.Writer) error {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], cells.Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-cells.Width(c)+2))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
