package overview

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
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
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var ss []history.Sample
	for i := 0; i <= 60; i++ {
		ss = append(ss, history.Sample{Metric: history.MetricFreeDatadir, Host: "local", Time: now.Add(time.Duration(i-60) * time.Minute),
			Value: float64((14 << 30) - int64(i)*(2<<30)/60)})
	}
	if err := s.AddSamples(ctx, ss); err != nil {
		t.Fatal(err)
	}
	s.Close()
	d := &common.Deps{Cfg: cfg, Hosts: host.NewRegistry(cfg), Lang: "en", Now: time.Now, Styles: common.DefaultStyles()}
	m := New(d).(*Model)
	sel, err := check.Select([]string{check.SrcForecast}, d.T)
	if err != nil {
		t.Fatal(err)
	}
	r := check.RunOne(ctx, cfg, d.Hosts, sel[0])
	m.checks.inflight = 1
	_, cmd := m.Update(checkDoneMsg{check.ForOverview(r.Report, d.T)})
	for _, msg := range uitest.Messages(cmd) {
		m.Update(msg)
	}
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
