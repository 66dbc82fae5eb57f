package ui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/cells"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/common/lineinput"
)

// confirmDialog shows exactly what an action will run and waits for y/n,
// or for a typed word when the action is dangerous. Every line is wrapped
// in terminal cells, never cut: the operator approves the whole command. A
// preview taller than the screen scrolls, and the dialog accepts only once
// its last row has been on screen.
type confirmDialog struct {
	deps   *common.Deps
	action gate.Action
	input  lineinput.Model

	width, height int // the terminal width and the body height it is drawn in
	top           int // the first preview row shown
	seenEnd       bool
	// tried is set when enter was pressed on another word than the one
	// asked for (wrong): the dialog stays open and says what must be typed.
	tried bool
	wrong string
}

func newConfirm(deps *common.Deps, a gate.Action, width, height int) *confirmDialog {
	d := &confirmDialog{deps: deps, action: a}
	if a.Danger != "" {
		// No placeholder: a dim word in the input reads as already typed in
		// a plain capture or on a monochrome terminal. The label names it.
		d.input = lineinput.New()
		d.input.CharLimit = 64
		d.input.Focus()
	}
	d.setSize(width, height)
	return d
}

// setSize fits the dialog to a new screen; what fits at once counts as seen.
func (d *confirmDialog) setSize(width, height int) {
	d.width, d.height = width, height
	d.scroll(0)
}

// innerWidth is the cells a dialog row holds: the screen less the border,
// padding and a margin, at most 100.
func (d *confirmDialog) innerWidth() int {
	return min(max(d.width-6, 20), 100)
}

// wrapAll sanitizes each line (they come from the box) and wraps it to w.
func wrapAll(lines []string, w int) []string {
	var rows []string
	for _, l := range lines {
		rows = append(rows, cells.Wrap(sanitize.String(l), w)...)
	}
	return rows
}

func (d *confirmDialog) titleRows() []string {
	t := d.deps.T
	title := t("Confirm", "確認") + ": " + d.action.Name + " " + d.action.Target
	if !host.IsLocalName(d.action.Host) {
		title += " @ " + d.action.Host
	}
	return wrapAll([]string{title}, d.innerWidth())
}

func (d *confirmDialog) previewRows() []string {
	lines := d.action.Preview
	if len(lines) == 0 && len(d.action.Argv) > 0 {
		lines = []string{d.deps.T("runs: ", "実行: ") + host.ShellQuote(d.action.Argv)}
	}
	return wrapAll(lines, d.innerWidth())
}

// footerRows are the fixed rows under the preview: where the view is when
// it scrolls, and how to go ahead.
func (d *confirmDialog) footerRows(total, shown int) []string {
	t := d.deps.T
	var lines []string
	if shown < total {
		from, to := strconv.Itoa(d.top+1), strconv.Itoa(d.top+shown)
		n := strconv.Itoa(total)
		keys := "j/k ↑/↓ pgup/pgdn"
		if d.action.Danger != "" {
			keys = "↑/↓ pgup/pgdn" // letters go into the typed word
		}
		lines = append(lines, t("rows "+from+"-"+to+" of "+n+"; "+keys+" scroll", n+" 行中 "+from+"-"+to+" 行目。"+keys+" でスクロール"))
	}
	switch {
	case !d.seenEnd:
		lines = append(lines, t("Scroll to the end to go ahead; esc cancels.", "最後まで表示すると実行できます。esc で中止。"))
	case d.action.Danger != "":
		lines = append(lines, t("Type "+d.action.Danger+" and press enter to go ahead; esc cancels.", "確認のため "+d.action.Danger+" と入力して enter。esc で中止。"))
	default:
		lines = append(lines, "y "+t("go ahead", "実行")+"   n/esc "+t("cancel", "中止"))
	}
	rows := wrapAll(lines, d.innerWidth())
	if d.action.Danger != "" {
		rows = append(rows, "") // the input's row
	}
	return append(rows, d.wrongRows()...)
}

// wrongRows say, under the input, that the word entered was not the one
// asked for.
func (d *confirmDialog) wrongRows() []string {
	if !d.tried {
		return nil
	}
	t, w := d.deps.T, d.action.Danger
	line := t("Type "+w+" exactly (capitals count).", w+" と正確に入力してください（大文字・小文字を区別）。")
	if d.wrong != "" {
		line = t("\""+d.wrong+"\" is not "+w+". ", "「"+d.wrong+"」は "+w+" ではありません。") + line
	}
	return wrapAll([]string{line}, d.innerWidth())
}

// visible is how many preview rows fit: the body height less the border,
// title, two blank rows and the footer (which depends on it, so it is
// measured as if scrolling, the larger case).
func (d *confirmDialog) visible(total int) int {
	fixed := 2 + len(d.titleRows()) + 2 + len(d.footerRows(total+1, 1))
	return min(total, max(1, d.height-fixed))
}

// scroll moves the view by delta rows, kept in range, and notes when the
// last row has been shown.
func (d *confirmDialog) scroll(delta int) {
	total := len(d.previewRows())
	shown := d.visible(total)
	d.top = max(0, min(d.top+delta, total-shown))
	if d.top+shown >= total {
		d.seenEnd = true
	}
}

// wheel scrolls by three rows a notch, as the panes do.
func (d *confirmDialog) wheel(msg tea.MouseWheelMsg) {
	switch msg.Button {
	case tea.MouseWheelUp:
		d.scroll(-3)
	case tea.MouseWheelDown:
		d.scroll(3)
	}
}

// update returns (done, confirmed, cmd).
func (d *confirmDialog) update(msg tea.KeyPressMsg) (bool, bool, tea.Cmd) {
	page := max(1, d.visible(len(d.previewRows()))-1)
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, false, nil
	case "up":
		d.scroll(-1)
		return false, false, nil
	case "down":
		d.scroll(1)
		return false, false, nil
	case "pgup":
		d.scroll(-page)
		return false, false, nil
	case "pgdown":
		d.scroll(page)
		return false, false, nil
	}
	if d.action.Danger != "" {
		if msg.String() == "enter" {
			if !d.seenEnd {
				return false, false, nil
			}
			typed := strings.TrimSpace(d.input.Value())
			if typed != d.action.Danger {
				d.tried, d.wrong = true, typed
				d.scroll(0) // the error row takes a preview row
				return false, false, nil
			}
			return true, true, nil
		}
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		return false, false, cmd
	}
	switch msg.String() {
	case "j":
		d.scroll(1)
	case "k":
		d.scroll(-1)
	case "q":
		return true, false, nil
	}
	switch common.Answer(msg) {
	case common.Yes:
		return d.seenEnd, d.seenEnd, nil
	case common.No, common.Cancel:
		return true, false, nil
	}
	return false, false, nil
}

func (d *confirmDialog) view() string {
	s := d.deps.Styles
	w := d.innerWidth()
	preview := d.previewRows()
	shown := d.visible(len(preview))
	var rows []string
	for _, r := range d.titleRows() {
		rows = append(rows, s.Title.Render(r))
	}
	rows = append(rows, "")
	rows = append(rows, preview[d.top:d.top+shown]...)
	rows = append(rows, "")
	footer := d.footerRows(len(preview), shown)
	wrong := d.wrongRows()
	if d.action.Danger != "" {
		footer = footer[:len(footer)-1-len(wrong)]
	}
	for _, r := range footer {
		rows = append(rows, s.Warn.Render(r))
	}
	if d.action.Danger != "" {
		rows = append(rows, d.input.View())
	}
	for _, r := range wrong {
		rows = append(rows, s.Crit.Render(r))
	}
	return s.Dialog.Width(w + 2 + s.Dialog.GetHorizontalBorderSize()).Render(strings.Join(rows, "\n")) // v2: the width holds the border
}
