package servicesview_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/servicesview"
	"github.com/richs/richsops/ui/uitest"
)

// The Services tab in the console on a fixed snapshot with a frozen
// clock. Update with: go test ./ui/... -run Golden -update
func TestServicesGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := servicesview.GoldenData(lang)
		view := uitest.Screen(ui.New(d, ui.Tabs(d)), w, h, append([]tea.Msg{common.SwitchTabMsg{Index: common.TabServices}}, msgs...)...)
		uitest.Golden(t, view, w, h)
	})
}
