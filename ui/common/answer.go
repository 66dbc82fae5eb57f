package common

import tea "charm.land/bubbletea/v2"

// Reply is what a key says to a yes/no question inside an action.
type Reply int

const (
	// NoReply is any other key: the question stays.
	NoReply Reply = iota
	Yes
	No
	// Cancel (esc) aborts the whole action: it is never taken as a "no"
	// that goes on with the rest.
	Cancel
)

// Answer reads a key as the answer to a yes/no question. Every question of
// the console reads its keys here, so esc cancels everywhere.
func Answer(msg tea.KeyPressMsg) Reply {
	switch msg.String() {
	case "y", "Y":
		return Yes
	case "n", "N":
		return No
	case "esc", "ctrl+c":
		return Cancel
	}
	return NoReply
}

// AskKeys ends a yes/no question: which keys answer it.
func (d *Deps) AskKeys() string { return d.T("[y/n, esc cancels]", "[y/n、esc で中止]") }

// CancelledText is what the status line says of an action the operator
// cancelled; Cancelled is its toast.
func (d *Deps) CancelledText(what string) string { return d.T("cancelled: ", "中止: ") + what }

// Cancelled is the toast of an action the operator cancelled.
func (d *Deps) Cancelled(what string) tea.Cmd { return Toast(d.CancelledText(what), false) }
