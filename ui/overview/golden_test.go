package overview_test

import (
	"testing"

	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/overview"
	"github.com/richs/richsops/ui/uitest"
)

// The Overview in the console on a fixed box with a frozen clock (the
// first tab: no switch). Update with: go test ./ui/... -run Golden -update
func TestOverviewGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := overview.GoldenData(lang)
		uitest.Golden(t, uitest.Screen(ui.New(d, ui.Tabs(d)), w, h, msgs...), w, h)
	})
}
