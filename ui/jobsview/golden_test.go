package jobsview_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/jobsview"
	"github.com/richs/richsops/ui/uitest"
)

// The Jobs tab in the console on fixed jobs (one running, one missed, one
// run from its log) with a frozen clock. Update with:
// go test ./ui/... -run Golden -update
func TestJobsGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := jobsview.GoldenData(t, lang)
		app := ui.New(d, ui.Tabs(d))
		view := uitest.Screen(app, w, h, append([]tea.Msg{common.SwitchTabMsg{Index: common.TabJobs}}, msgs...)...)
		uitest.Golden(t, view, w, h)
	})
}

// The details of a job with recorded runs: the last runs, their sparkline
// and baseline.
func TestJobsDetailGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := jobsview.GoldenData(t, lang)
		app := ui.New(d, ui.Tabs(d))
		msgs = append(append([]tea.Msg{common.SwitchTabMsg{Index: common.TabJobs}}, msgs...), jobsview.GoldenDetail()...)
		uitest.Golden(t, uitest.Screen(app, w, h, msgs...), w, h)
	})
}

// The tab on another host that has no richsops: the selected job's lines
// say so and what to do, in place of its recorded runs.
func TestJobsRemoteNotInstalledGolden(t *testing.T) {
	uitest.Screens(t, func(t *testing.T, w, h int, lang string) {
		d, msgs := jobsview.GoldenRemoteData(t, lang)
		app := ui.New(d, ui.Tabs(d))
		uitest.Golden(t, uitest.Screen(app, w, h, append([]tea.Msg{common.SwitchTabMsg{Index: common.TabJobs}}, msgs...)...), w, h)
	})
}
