package logsview_test

import (
	"testing"

	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/logsview"
	"github.com/richs/richsops/ui/uitest"
)

// The Logs tab in the console with a frozen clock: its picker of the
// configured logs, and two panes of fixed lines. Update with:
// go test ./ui/... -run Golden -update
func TestLogsGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		panes bool
	}{{"picker", false}, {"panes", true}} {
		t.Run(c.name, func(t *testing.T) {
			uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
				d, tab := logsview.GoldenTab(lang, c.panes)
				tabs := ui.Tabs(d)
				tabs[common.TabLogs] = tab
				view := uitest.Screen(ui.New(d, tabs), w, h, common.SwitchTabMsg{Index: common.TabLogs})
				uitest.Golden(t, view, w, h)
			})
		})
	}
}
