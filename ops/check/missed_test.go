package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/jobs"
)

// TestMissedItem: a missed run's item names its job for the Overview's R
// and says what R does, or why the guard refuses it now, or that the
// watch service runs it by itself (catch_up = "auto").
func TestMissedItem(t *testing.T) {
	cfg := edittest.Config(t, config.Default())
	h := edittest.Local(cfg)
	m := &jobs.Missed{At: time.Date(2026, 12, 2, 3, 0, 0, 0, time.Local), Reason: "the machine was down then (booted 12-02 05:10)"}
	old := jobs.DefaultGuard
	t.Cleanup(func() { jobs.DefaultGuard = old })
	jobs.DefaultGuard = func(context.Context) (bool, string) { return false, "pm2 app stopped" }
	for _, c := range []struct {
		job, mode, want string
	}{
		{"check_item_yahoo", "ask", "check_item_yahoo MISSED its 12-02 03:00 run (the machine was down then (booted 12-02 05:10)): run the missed check now"},
		{"check_item_mercari", "ask", "; not run now: check_item_mercari refused: index-linux is unhealthy: pm2 app stopped"},
		{"check_item_yahoo", "auto", "; richsops watch runs it once the box is up 10m"},
	} {
		cfg.Watch.CatchUp = c.mode
		it := missedItem(context.Background(), cfg, h, c.job, m)
		if it.Subject != c.job || it.Key != "R" || !strings.Contains(it.Text, c.want) {
			t.Errorf("%s %s: %+v", c.job, c.mode, it)
		}
	}
}

// TestAmazonItemsSayTheHold: the block's item says the hold; a hold that
// outlasts the block's warning is an item of its own.
func TestAmazonItemsSayTheHold(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.Local)
	blocked := amazon.Status{Now: now, Since: now.Add(-time.Hour), Last: now.Add(-time.Minute), LastHour: 37,
		QuietFrom: now.Add(59 * time.Minute), ClearFrom: now.Add(3 * time.Hour), ClearBy: now.Add(6 * time.Hour)}
	const held = "check_item_yahoo, update_item_yahoo held until about 17:40"
	for _, c := range []struct {
		name string
		st   amazon.Status
		held string
		sev  int
		want string
	}{
		{"blocked and held", blocked, held, attention.Crit, "stop bulk searches; " + held},
		{"no block, still held", amazon.Status{Now: now}, held, attention.Warn, "Amazon hold: " + held},
		{"nothing", amazon.Status{Now: now}, "", 0, ""},
	} {
		items := AmazonItems(c.st, c.held, func(en, _ string) string { return en })
		switch {
		case c.want == "" && len(items) != 0:
			t.Errorf("%s: %+v", c.name, items)
		case c.want != "" && (len(items) != 1 || items[0].Severity != c.sev || !strings.Contains(items[0].Text, c.want)):
			t.Errorf("%s: %+v", c.name, items)
		}
	}
}
