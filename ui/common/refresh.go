package common

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Refresher is a tab's refresh-while-visible timer. Each show or hide
// starts a new generation: a tick armed in an older one is stale and
// dropped, so a hidden tab lets its chain die and showing it again starts
// exactly one chain (an idle console must not burn CPU). The tab keeps its
// own tick message, carrying the generation Tick gives it.
type Refresher struct {
	gen    int
	active bool
}

// SetActive takes an ActiveMsg's visibility and starts a new generation.
func (r *Refresher) SetActive(active bool) {
	r.active = active
	r.gen++
}

// Active reports whether the tab is visible.
func (r *Refresher) Active() bool { return r.active }

// Gen is the current generation.
func (r *Refresher) Gen() int { return r.gen }

// Tick arms the next tick of the current generation after every.
func (r *Refresher) Tick(every time.Duration, msg func(gen int) tea.Msg) tea.Cmd {
	gen := r.gen
	return tea.Tick(every, func(time.Time) tea.Msg { return msg(gen) })
}

// Fresh reports whether a tick of generation gen belongs to the current one.
func (r *Refresher) Fresh(gen int) bool { return gen == r.gen }

// Due reports whether a tick of generation gen should refresh: it is fresh
// and the tab is visible.
func (r *Refresher) Due(gen int) bool { return r.Fresh(gen) && r.active }
