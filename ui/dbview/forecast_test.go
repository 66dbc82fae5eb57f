package dbview

import (
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// With the datadir's free space falling in a real history database, the
// tab's status read (a Cmd) brings its forecast, and the default purge of
// the real server's binary logs is worked out against it: the bytes of the
// logs before the target, the hours they give at the rate. Without a
// database there is no forecast line.
func TestForecastAndItsPurge(t *testing.T) {
	tab := newTab(t)
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	if v := tab.View(); strings.Contains(v, "forecast") {
		t.Fatalf("a forecast without a history database:\n%s", v)
	}
	filltest.Add(t, tab.d.Cfg.History.Path, filltest.Hour(history.MetricFreeDatadir, "local", time.Now(), 3<<30, 1<<30))
	update(t, tab, common.ActiveMsg{Active: false})
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	tab.SetSize(140, 30)
	v := uitest.Plain(tab.View())
	logs := tab.status.Binlogs
	target := logs[len(logs)-2].Name
	var freed int64
	for _, b := range logs[:len(logs)-2] {
		freed += b.Size
	}
	for _, want := range []string{
		"datadir " + tab.d.Cfg.Database.Datadir + " full in about 3.0 h (3.0 GiB free, filling 1.0 GiB/h over the last hour)",
		"P purge to " + target + " frees " + human.Bytes(freed) + ", about 0.0 h more at the current rate",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if tab.fc.Forecasts[0].Level != "warn" {
		t.Errorf("level %+v", tab.fc.Forecasts[0])
	}
	uitest.Fits(t, tab.View(), 140, 30)
}
