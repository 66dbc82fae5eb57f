package common

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds every colour and border of the console, for a light or a
// dark terminal (StylesFor). Bubble Tea turns the colours into what the
// terminal's profile can show, and none under NO_COLOR.
type Styles struct {
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabBar      lipgloss.Style
	Status      lipgloss.Style
	Badge       lipgloss.Style // READ-ONLY
	Title       lipgloss.Style
	Header      lipgloss.Style // table header
	Selected    lipgloss.Style // selected row
	Muted       lipgloss.Style
	OK          lipgloss.Style
	Warn        lipgloss.Style
	Crit        lipgloss.Style
	Info        lipgloss.Style
	Key         lipgloss.Style // a key name in prose ("press r")
	Border      lipgloss.Style // pane border
	Dialog      lipgloss.Style
	Match       lipgloss.Style // search highlight
	GaugeFull   lipgloss.Style
	GaugeEmpty  lipgloss.Style
}

// DefaultStyles are the console's styles for a dark terminal, until the
// terminal says otherwise (ui.App asks it once the console starts).
func DefaultStyles() *Styles { return StylesFor(true) }

// StylesFor are the console's styles on a dark or a light background.
func StylesFor(dark bool) *Styles {
	c := func(light, darkHex string) color.Color {
		return lipgloss.LightDark(dark)(lipgloss.Color(light), lipgloss.Color(darkHex))
	}
	var (
		fg       = c("#1a1a1a", "#e4e4e4")
		muted    = c("#6b6b6b", "#8a8a8a")
		accent   = c("#005f87", "#5fafff")
		green    = c("#007a00", "#5fd75f")
		yellow   = c("#8a6d00", "#ffd75f")
		red      = c("#b00000", "#ff5f5f")
		selectBg = c("#d0e4f5", "#264f78")
		barBg    = c("#e8e8e8", "#262626")
	)
	return &Styles{
		TabActive:   lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true),
		TabInactive: lipgloss.NewStyle().Foreground(muted),
		TabBar:      lipgloss.NewStyle(),
		Status:      lipgloss.NewStyle().Foreground(fg).Background(barBg),
		Badge:       lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(red).Padding(0, 1),
		Title:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		Header:      lipgloss.NewStyle().Bold(true).Foreground(muted),
		Selected:    lipgloss.NewStyle().Background(selectBg).Bold(true),
		Muted:       lipgloss.NewStyle().Foreground(muted),
		OK:          lipgloss.NewStyle().Foreground(green),
		Warn:        lipgloss.NewStyle().Foreground(yellow).Bold(true),
		Crit:        lipgloss.NewStyle().Foreground(red).Bold(true),
		Info:        lipgloss.NewStyle().Foreground(accent),
		Key:         lipgloss.NewStyle().Bold(true).Foreground(accent),
		Border:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(muted),
		Dialog:      lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(red).Padding(0, 1),
		Match:       lipgloss.NewStyle().Reverse(true),
		GaugeFull:   lipgloss.NewStyle().Foreground(accent),
		GaugeEmpty:  lipgloss.NewStyle().Foreground(muted),
	}
}

// Level picks OK, Warn or Crit by a severity 0, 1, 2.
func (s *Styles) Level(sev int) lipgloss.Style {
	switch {
	case sev >= 2:
		return s.Crit
	case sev == 1:
		return s.Warn
	}
	return s.OK
}
