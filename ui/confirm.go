package ui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/common/lineinput"
)

// confirmDialog shows exactly what an action will run and waits for y/n,
// or for a typed word when the action is dangerous.
type confirmDialog struct {
	deps   *common.Deps
	action gate.Action
	input  lineinput.Model
}

func newConfirm(deps *common.Deps, a gate.Action) *confirmDialog {
	d := &confirmDialog{deps: deps, action: a}
	if a.Danger != "" {
		d.input = lineinput.New()
		d.input.Placeholder = a.Danger
		d.input.CharLimit = 64
		d.input.Focus()
	}
	return d
}

// update returns (done, confirmed, cmd).
func (d *confirmDialog) update(msg tea.KeyPressMsg) (bool, bool, tea.Cmd) {
	if d.action.Danger != "" {
		switch msg.String() {
		case "esc", "ctrl+c":
			return true, false, nil
		case "enter":
			return true, strings.TrimSpace(d.input.Value()) == d.action.Danger, nil
		}
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		return false, false, cmd
	}
	switch msg.String() {
	case "y", "Y":
		return true, true, nil
	case "n", "N", "esc", "q", "ctrl+c":
		return true, false, nil
	}
	return false, false, nil
}

func (d *confirmDialog) view(width int) string {
	s := d.deps.Styles
	t := d.deps.T
	maxW := width - 6
	if maxW > 100 {
		maxW = 100
	}
	if maxW < 20 {
		maxW = 20
	}
	var b strings.Builder
	b.WriteString(s.Title.Render(t("Confirm", "確認") + ": " + d.action.Name + " " + d.action.Target))
	if d.action.Host != "" && d.action.Host != "local" {
		b.WriteString(s.Muted.Render(" @ " + d.action.Host))
	}
	b.WriteString("\n\n")
	lines := d.action.Preview
	if len(lines) == 0 && len(d.action.Argv) > 0 {
		lines = []string{t("runs: ", "実行: ") + host.ShellQuote(d.action.Argv)}
	}
	if len(lines) > 14 {
		extra := len(lines) - 13
		lines = append(append([]string{}, lines[:13]...), t("… and ", "… ほか ")+strconv.Itoa(extra)+t(" more", " 件"))
	}
	for _, l := range lines {
		b.WriteString(lipgloss.NewStyle().MaxWidth(maxW).Render(l))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if d.action.Danger != "" {
		b.WriteString(s.Warn.Render(t("Type ", "確認のため ")+d.action.Danger+t(" and press enter to go ahead; esc cancels.", " と入力して enter。esc で中止。")) + "\n")
		b.WriteString(d.input.View())
	} else {
		b.WriteString(s.Key.Render("y") + " " + t("go ahead", "実行") + "   " + s.Key.Render("n/esc") + " " + t("cancel", "中止"))
	}
	return s.Dialog.Width(maxW + 2 + s.Dialog.GetHorizontalBorderSize()).Render(b.String()) // v2: the width holds the border
}
