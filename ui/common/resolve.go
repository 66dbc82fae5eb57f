package common

import (
	"reflect"
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// ResolveColors turns every colour of every lipgloss.Style field of the
// struct that ptr points to (Styles, bubbles' help.Styles) into what the
// terminal's colour profile makes of it for the given background: a
// 256-colour index, an ANSI colour, the hex colour itself in true colour.
//
// lipgloss converts a hex colour for the profile at every Render, and for
// 256 colours that is a nearest-colour search in HSLuv: with the console's
// hex palette it was the largest part of drawing the tab bar, the status
// line and the key help each frame (BenchmarkChrome). A resolved colour
// needs no conversion and renders the same bytes (TestResolvedStylesRender
// TheSame). Only for a program whose profile and background no longer
// change: ui.Run, after asking the terminal.
func ResolveColors(ptr any, p termenv.Profile, dark bool) {
	v := reflect.ValueOf(ptr).Elem()
	for i := range v.NumField() {
		if st, ok := v.Field(i).Addr().Interface().(*lipgloss.Style); ok {
			*st = resolveStyle(*st, p, dark)
		}
	}
}

func resolveStyle(st lipgloss.Style, p termenv.Profile, dark bool) lipgloss.Style {
	for _, c := range []struct {
		get func() lipgloss.TerminalColor
		set func(lipgloss.TerminalColor) lipgloss.Style
	}{
		{st.GetForeground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.Foreground(c) }},
		{st.GetBackground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.Background(c) }},
		{st.GetBorderTopForeground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderTopForeground(c) }},
		{st.GetBorderRightForeground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderRightForeground(c) }},
		{st.GetBorderBottomForeground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderBottomForeground(c) }},
		{st.GetBorderLeftForeground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderLeftForeground(c) }},
		{st.GetBorderTopBackground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderTopBackground(c) }},
		{st.GetBorderRightBackground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderRightBackground(c) }},
		{st.GetBorderBottomBackground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderBottomBackground(c) }},
		{st.GetBorderLeftBackground, func(c lipgloss.TerminalColor) lipgloss.Style { return st.BorderLeftBackground(c) }},
	} {
		if col := c.get(); !isNoColor(col) {
			st = c.set(resolveColor(col, p, dark))
		}
	}
	return st
}

func isNoColor(c lipgloss.TerminalColor) bool {
	_, none := c.(lipgloss.NoColor)
	return c == nil || none
}

func resolveColor(c lipgloss.TerminalColor, p termenv.Profile, dark bool) lipgloss.TerminalColor {
	var s string
	switch v := c.(type) {
	case lipgloss.AdaptiveColor:
		s = v.Light
		if dark {
			s = v.Dark
		}
	case lipgloss.Color:
		s = string(v)
	default:
		return c // complete colours choose per profile themselves
	}
	switch t := p.Color(s).(type) {
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(t)))
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(t)))
	case termenv.RGBColor:
		return lipgloss.Color(string(t))
	}
	return lipgloss.NoColor{}
}
