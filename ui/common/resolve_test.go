package common

import (
	"reflect"
	"testing"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/richs/richsops/ui/uitest"
)

// Resolved styles render the same bytes as the originals, in every colour
// profile, on a dark and a light background.
func TestResolvedStylesRenderTheSame(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		for _, dark := range []bool{true, false} {
			uitest.Colors(t, p, dark)
			hs := help.New().Styles
			for name, orig := range map[string]any{"Styles": DefaultStyles(), "help": &hs} {
				res := reflect.New(reflect.TypeOf(orig).Elem())
				res.Elem().Set(reflect.ValueOf(orig).Elem())
				ResolveColors(res.Interface(), p, dark)
				o, r := reflect.ValueOf(orig).Elem(), res.Elem()
				for i := range o.NumField() {
					os, ok := o.Field(i).Interface().(lipgloss.Style)
					if !ok {
						continue
					}
					rs := r.Field(i).Interface().(lipgloss.Style)
					for _, text := range []string{"", "a b", "日本語\nline two"} {
						if got, want := rs.Render(text), os.Render(text); got != want {
							t.Errorf("profile %d dark %v %s.%s: %q, want %q", p, dark, name, o.Type().Field(i).Name, got, want)
						}
					}
				}
			}
		}
	}
}
