package dbview_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/dbview"
	"github.com/richs/richsops/ui/uitest"
)

// The Database tab in the console on a fixed status with a frozen clock:
// a server that answers, and the emergency (disk full, server down).
// Update with: go test ./ui/... -run Golden -update
func TestDatabaseGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		down bool
	}{{"up", false}, {"emergency", true}} {
		t.Run(c.name, func(t *testing.T) {
			uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
				d, msgs := dbview.GoldenData(lang, c.down)
				view := uitest.Screen(ui.New(d, ui.Tabs(d)), w, h, append([]tea.Msg{common.SwitchTabMsg{Index: common.TabDatabase}}, msgs...)...)
				uitest.Golden(t, view, w, h)
			})
		})
	}
}

// The purge dialog when the logs it removes reach the newest backup's
// position: the preview names them and the dialog asks for the word.
func TestDatabasePurgeGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := dbview.GoldenData(lang, false)
		msgs = append(msgs, common.ConfirmMsg{Action: dbview.GoldenPurge(d, msgs)})
		view := uitest.Screen(ui.New(d, ui.Tabs(d)), w, h, append([]tea.Msg{common.SwitchTabMsg{Index: common.TabDatabase}}, msgs...)...)
		uitest.Golden(t, view, w, h)
	})
}
