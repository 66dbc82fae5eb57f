package overview

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// feed gives the checker its own messages until only others are left.
func feed(c *checks, msgs []tea.Msg) (reports []attention.Report, ticks []checksTickMsg) {
	for len(msgs) > 0 {
		msg := msgs[0]
		msgs = msgs[1:]
		switch m := msg.(type) {
		case checkDoneMsg:
			msgs = append(msgs, uitest.Messages(c.Update(m))...)
		case attention.Report:
			reports = append(reports, m)
		case checksTickMsg:
			ticks = append(ticks, m)
		}
	}
	return reports, ticks
}

func TestChecksFeedTheAttentionList(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Lang = "en"
	cfg.Crontab.Path = filepath.Join(dir, "missing-crontab") // the jobs check cannot run
	cfg.App.LogDir = dir
	cfg.Jobs = []config.Job{{Name: "check_item_yahoo_tov", Log: "y.log"}}
	cfg.Guard.Jobs = nil
	cfg.IndexLinux.HealthURL = srv.URL + "/health"
	cfg.IndexLinux.Redis = srv.Listener.Addr().String() // not Redis: unhealthy
	cfg.Services = []config.Service{{Name: "index-linux", Kind: "pm2", App: "index-linux", PM2: []string{"false"}}}
	cfg.Probes = []config.Probe{{Name: "captcha", URL: srv.URL, Timeout: config.Duration{Duration: 5 * time.Second}}}
	cfg.Database.DSN = "root@unix(" + filepath.Join(dir, "no.sock") + ")/" // no server: Crit
	cfg.Database.Datadir = dir
	cfg.History.Path = filepath.Join(dir, "history.db") // none: the history sources say nothing
	d := &common.Deps{Cfg: cfg, Hosts: host.NewRegistry(cfg), Lang: "en", Now: time.Now}
	os.WriteFile(filepath.Join(dir, "y.log"), nil, 0o644)

	c := newChecks(d)
	c.interval = time.Millisecond
	reports, ticks := feed(c, uitest.Messages(c.Init()))
	if len(ticks) != 0 {
		t.Fatal("the hidden overview scheduled more checks")
	}
	var sources []string
	for _, r := range reports {
		sources = append(sources, r.Source)
		for _, it := range r.Items {
			if it.Severity > attention.Crit || it.Source != r.Source {
				t.Errorf("item the overview cannot show: %+v", it)
			}
		}
	}
	sort.Strings(sources)
	if want := []string{check.SrcDB, check.SrcForecast, check.SrcIndexLinux, check.SrcJobs, check.SrcProbes, check.SrcRuns, check.SrcServices}; !slices.Equal(sources, want) {
		t.Fatalf("sources %v", sources)
	}
	byName := map[string]attention.Report{}
	for _, r := range reports {
		byName[r.Source] = r
	}
	if r := byName[check.SrcIndexLinux]; len(r.Items) != 1 || r.Items[0].Severity != attention.Crit || r.Items[0].Area != attention.AreaJobs || r.Items[0].Key != "p" {
		// The crontab cannot be read, so the Mercari checks may be active.
		t.Errorf("index-linux: %+v", r)
	}
	if r := byName[check.SrcJobs]; len(r.Items) == 0 || r.Items[0].Severity != attention.Warn || r.Items[0].Text[:13] != "check failed:" {
		t.Errorf("jobs: %+v", r)
	}
	if r := byName[check.SrcProbes]; len(r.Items) != 0 {
		t.Errorf("probes: %+v", r)
	}

	// Shown: a run now, and a tick when all collectors are done.
	reports, ticks = feed(c, uitest.Messages(c.Update(common.ActiveMsg{Active: true})))
	if len(reports) != 7 || len(ticks) != 1 || ticks[0].gen != c.timer.Gen() {
		t.Fatalf("shown: %d reports, ticks %v", len(reports), ticks)
	}
	if cmd := c.Update(ticks[0]); cmd == nil {
		t.Fatal("the tick did not run the checks")
	} else if again := c.Update(ticks[0]); again != nil {
		t.Fatal("a second run started while one is going")
	} else {
		feed(c, uitest.Messages(cmd))
	}
	// Hidden: an older tick is dropped and nothing is rescheduled.
	c.Update(common.ActiveMsg{Active: false})
	if cmd := c.Update(ticks[0]); cmd != nil {
		t.Fatal("a stale tick ran the checks")
	}
}

// TestOverviewTakesCheckReports: the Overview passes a collector's result
// on as an attention.Report and lists its items; enter on one switches to
// the tab that acts on it.
func TestOverviewTakesCheckReports(t *testing.T) {
	cfg := config.Default()
	d := &common.Deps{Cfg: cfg, Hosts: host.NewRegistry(cfg), Lang: "en", Now: time.Now}
	m := New(d).(*Model)
	m.checks.inflight = 1
	rep := attention.Report{Source: check.SrcJobs, Items: []attention.Item{{Severity: attention.Crit, Source: check.SrcJobs, Text: "x MISSED", Key: "R", Area: attention.AreaJobs}}}
	_, cmd := m.Update(checkDoneMsg{rep})
	for _, msg := range uitest.Messages(cmd) {
		m.Update(msg)
	}
	items := m.items()
	if len(items) != 1 || items[0].Text != "x MISSED" {
		t.Fatalf("items %+v", items)
	}
	m.sel = 0
	if msgs := uitest.Messages(m.act(items[0])); len(msgs) != 1 || msgs[0] != (common.SwitchTabMsg{Index: common.TabJobs}) {
		t.Fatalf("enter: %+v", msgs)
	}
}
