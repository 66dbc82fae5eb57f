package common

import "github.com/charmbracelet/lipgloss"

// Styles holds every colour and border of the console. Colours are adaptive
// (light and dark terminals); NO_COLOR is honoured by the app setting the
// Ascii profile, which makes every colour here a no-op.
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

var (
	fg       = lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#e4e4e4"}
	muted    = lipgloss.AdaptiveColor{Light: "#6b6b6b", Dark: "#8a8a8a"}
	accent   = lipgloss.AdaptiveColor{Light: "#005f87", Dark: "#5fafff"}
	green    = lipgloss.AdaptiveColor{Light: "#007a00", Dark: "#5fd75f"}
	yellow   = lipgloss.AdaptiveColor{Light: "#8a6d00", Dark: "#ffd75f"}
	red      = lipgloss.AdaptiveColor{Light: "#b00000", Dark: "#ff5f5f"}
	selectBg = lipgloss.AdaptiveColor{Light: "#d0e4f5", Dark: "#264f78"}
	barBg    = lipgloss.AdaptiveColor{Light: "#e8e8e8", Dark: "#262626"}
)

// DefaultStyles are the console's styles.
func DefaultStyles() *Styles {
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
