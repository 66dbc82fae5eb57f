package jobsview

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui/common"
)

// GoldenData is the tab's test deps in lang and the messages that fill it
// with fixed data, for the golden screens (golden_test.go), which run the
// tab inside the App.
func GoldenData(t *testing.T, lang string) (*common.Deps, []tea.Msg) {
	d := deps(t, false)
	d.Lang, d.HostLabel = lang, "demo-box"
	// Fixed paths, not the test's temp folder: nothing reads them (the
	// golden screens run no Cmd).
	d.Cfg.Crontab.Path, d.Cfg.App.Dir, d.Cfg.App.LogDir = "/etc/crontab", "/home/richs/app", "/home/richs/app/logs"
	snap := snapshot(d)
	snap.st[2].LastRun, snap.st[2].LastFrom = d.Now().Add(-250*time.Second), "log"
	return d, []tea.Msg{snap}
}
