package common

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

type tick struct{ gen int }

func TestRefresherDropsStaleTicks(t *testing.T) {
	var r Refresher
	arm := func() int {
		msg := r.Tick(time.Millisecond, func(gen int) tea.Msg { return tick{gen} })()
		return msg.(tick).gen
	}
	if r.Active() {
		t.Fatal("active before any ActiveMsg")
	}
	r.SetActive(true)
	shown := arm()
	if !r.Due(shown) {
		t.Error("the tick of the visible tab is not due")
	}
	r.SetActive(false)
	if r.Due(shown) || r.Fresh(shown) {
		t.Error("a tick armed before the tab was hidden is still due")
	}
	hidden := arm()
	if r.Due(hidden) || !r.Fresh(hidden) {
		t.Error("hidden: a tick is due, or not fresh")
	}
	r.SetActive(true)
	if r.Due(shown) || r.Due(hidden) {
		t.Error("showing again revived an old chain")
	}
	if again := arm(); !r.Due(again) || again != r.Gen() {
		t.Error("the new chain is not due")
	}
}
