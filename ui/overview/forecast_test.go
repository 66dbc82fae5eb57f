package overview

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/filltest"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// TestForecastCheckOnTheOverview: the datadir filling to full in a few
// hours, recorded as samples in a real history database, is a WARN on the
// Overview through the forecast check source, and enter goes to the
// Database tab where its purge is worked out (issue 19, section 1).
func TestForecastCheckOnTheOverview(t *testing.T) {
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.Database.Datadir = "/var/lib/mysql"
	cfg.History.Path = filepath.Join(t.TempDir(), "history.db")
	filltest.Add(t, cfg.History.Path, filltest.Hour(history.MetricFreeDatadir, "local", time.Now(), 12<<30, 2<<30))
	m := showCheck(t, cfg, check.SrcForecast)
	items := m.items()
	if len(items) != 1 || !strings.HasPrefix(items[0].Text, "datadir /var/lib/mysql full in about 6.0 h") {
		t.Fatalf("items %+v", items)
	}
	if h := m.hint(items[0]); h != "enter" {
		t.Errorf("hint %q", h)
	}
	if msgs := uitest.Messages(m.act(items[0])); len(msgs) != 1 || msgs[0] != (common.SwitchTabMsg{Index: common.TabDatabase}) {
		t.Errorf("enter: %+v", msgs)
	}
}
