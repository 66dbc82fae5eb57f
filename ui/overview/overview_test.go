package overview

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ui/uitest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/richs/richsops/ops/amazon"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sysinfo"
	"github.com/richs/richsops/ops/traffic"
	"github.com/richs/richsops/ui/common"
)

var now = time.Now().Truncate(time.Second)

// fixture is a box in a temp folder: an app log with an Amazon block 20
// minutes ago, an access log with many 5xx, and a public tmp with an old file.
func fixture(t *testing.T) (*Model, string) {
	t.Helper()
	dir := t.TempDir()
	c := config.Default()
	c.Lang = "en"
	c.Public.Dir = filepath.Join(dir, "public")
	for _, f := range []string{"images", "output", "tmp"} {
		if err := os.MkdirAll(filepath.Join(c.Public.Dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := filepath.Join(c.Public.Dir, "tmp", "old.csv")
	if err := os.WriteFile(old, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, now.Add(-30*24*time.Hour), now.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	blockAt := now.Add(-20 * time.Minute).Local()
	app := filepath.Join(dir, "django.log")
	line := fmt.Sprintf("%s,001 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 \"GET /dp/B0C1 HTTP/1.1\" 503 2671\n", blockAt.Format("2006-01-02 15:04:05"))
	if err := os.WriteFile(app, []byte(line+line), 0o644); err != nil {
		t.Fatal(err)
	}
	var acc strings.Builder
	for i := range 100 {
		status := 200
		if i%4 == 0 {
			status = 502
		}
		ts := now.Add(-time.Duration(100-i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&acc, "192.0.2.%d - - [%s] \"GET /items/%d HTTP/1.1\" %d 10 \"-\" \"ua\"\n", i%7, ts, i%3, status)
	}
	access := filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, []byte(acc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Logs = []config.Log{{Name: "django", Path: app, Kind: "django"}, {Name: "nginx-access", Path: access, Kind: "nginx-access"}}
	c.Amazon.Logs = []string{"django"}
	d := &common.Deps{Cfg: c, Gate: gate.New(false, ""), Hosts: host.NewRegistry(c), Lang: "en",
		Styles: common.DefaultStyles(), Now: func() time.Time { return now }}
	m := New(d).(*Model)
	m.SetSize(80, 22)
	return m, old
}

// run executes cmd and feeds the messages back (one level of batches).
func run(t *testing.T, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			out = append(out, run(t, m, c)...)
		}
		return out
	}
	switch msg.(type) {
	case hostMsg, amazonMsg, publicMsg, trafficMsg, planMsg:
		_, next := m.Update(msg)
		_ = next // the re-armed tick; not waited for
		if pm, ok := msg.(planMsg); ok {
			_ = pm
			return append(out, run(t, m, next)...)
		}
		return out
	}
	return append(out, msg)
}

func TestNothingNeedsAttention(t *testing.T) {
	m, _ := fixture(t)
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "nothing needs attention") {
		t.Fatalf("view:\n%s", v)
	}
	uitest.Fits(t, m.View(), 80, 22)
}

func TestReportsFromAnySourceWorstFirst(t *testing.T) {
	m, _ := fixture(t)
	m.Update(attention.Report{Source: "jobs", Items: []attention.Item{{Severity: attention.Warn, Source: "jobs", Text: "check_item_yahoo missed its 03:00 run", Key: "enter", Area: attention.AreaJobs}}})
	m.Update(attention.Report{Source: "services", Items: []attention.Item{
		{Severity: attention.Crit, Source: "services", Text: "index-linux is down", Area: attention.AreaServices},
		{Severity: attention.OK, Source: "services", Text: "redis up"},
	}})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	// lines[1] is the list's header; the key is the last column.
	if !strings.Contains(lines[0], "(2)") || !strings.Contains(lines[1], "KEY") || !strings.Contains(lines[2], "CRIT") ||
		!strings.Contains(lines[2], "index-linux is down") || !strings.HasSuffix(lines[2], "[enter]") ||
		!strings.Contains(lines[3], "WARN") || strings.Contains(strings.Join(lines, "\n"), "redis up") {
		t.Fatalf("view:\n%s", strings.Join(lines, "\n"))
	}
	// enter on the selected (worst) item switches to its tab.
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg := cmd(); msg != (common.SwitchTabMsg{Index: common.TabServices}) {
		t.Fatalf("enter gave %#v", msg)
	}
	// A source's new report replaces its old one.
	m.Update(attention.Report{Source: "services"})
	if v := ansi.Strip(m.View()); strings.Contains(v, "index-linux") || !strings.Contains(v, "(1)") {
		t.Fatalf("after clearing services:\n%s", v)
	}
}

func TestOwnSourcesFeedTheList(t *testing.T) {
	m, old := fixture(t)
	for _, src := range []string{srcHost, srcAmazon, srcPublic, srcNginx} {
		run(t, m, m.fetch(src))
	}
	if len(m.errs) != 0 {
		t.Fatalf("fetch errors: %v", m.errs)
	}
	items := m.items()
	if len(items) < 2 || items[0].Source != srcAmazon || items[0].Severity != attention.Crit {
		t.Fatalf("items = %+v", items)
	}
	found := false
	for _, it := range items {
		found = found || (it.Source == srcNginx && strings.Contains(it.Text, "5xx 25.0% (last 15 min"))
	}
	if !found {
		t.Fatalf("no nginx 5xx item in %+v", items)
	}
	m.SetSize(80, 200)
	v := ansi.Strip(m.View())
	// Each 5xx figure says over what it is: the item the last 15 min (above),
	// the traffic panel the whole log.
	for _, want := range []string{"BLOCKED since", "Stop bulk searches", "tmp", "req/min", "/items/0", "memory", "% (whole log)"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	uitest.Fits(t, m.View(), 80, 200)

	// c previews the clean-up and asks for confirmation of exactly that file.
	_, cmd := m.Update(uitest.Key("C"))
	msgs := run(t, m, cmd)
	if len(msgs) != 1 {
		t.Fatalf("msgs = %#v", msgs)
	}
	conf, ok := msgs[0].(common.ConfirmMsg)
	if !ok || conf.Action.Name != "public.clean" || !strings.Contains(strings.Join(conf.Action.Preview, "\n"), old) {
		t.Fatalf("confirm = %#v", msgs[0])
	}
}

func TestTimersFollowVisibility(t *testing.T) {
	m, _ := fixture(t)
	m.Update(common.ActiveMsg{Active: true})
	gen := m.timer.Gen()
	// A tick from before the switch is dropped; a current one fetches.
	if _, cmd := m.Update(tickMsg{src: srcHost, gen: gen - 1}); cmd != nil {
		t.Fatal("stale tick started a fetch")
	}
	m.inflight[srcHost] = false
	if _, cmd := m.Update(tickMsg{src: srcHost, gen: gen}); cmd == nil || !m.inflight[srcHost] {
		t.Fatal("current tick did not fetch")
	}
	// While a fetch runs, another tick does not start a second one.
	if _, cmd := m.Update(tickMsg{src: srcHost, gen: gen}); cmd != nil {
		t.Fatal("second fetch while one is in flight")
	}
}

func TestHiddenTabReadsOnlyTmp(t *testing.T) {
	m, _ := fixture(t)
	m.Update(common.ActiveMsg{Active: true})
	m.inflight[srcPublic] = false
	run(t, m, m.fetch(srcPublic))
	if len(m.folders) != 3 {
		t.Fatalf("shown: %d folders", len(m.folders))
	}
	m.Update(common.ActiveMsg{Active: false})
	msg := m.fetch(srcPublic)().(publicMsg)
	if len(msg.folders) != 1 || msg.folders[0].Name != "tmp" {
		t.Fatalf("hidden read %+v", msg.folders)
	}
	m.Update(msg)
	if len(m.folders) != 3 || m.folders[2].Name != "tmp" {
		t.Fatalf("merged %+v", m.folders)
	}
}

func TestNginxItemOnlyForRecentErrors(t *testing.T) {
	m, _ := fixture(t)
	series := func(at time.Time) *traffic.Summary {
		return &traffic.Summary{Series: []traffic.Minute{{Time: at.Truncate(time.Minute), Requests: 100, S5xx: 10}}}
	}
	if items := nginxItems(m.d, series(now.Add(-time.Hour))); len(items) != 0 {
		t.Fatalf("an hour-old burst raised %+v", items)
	}
	items := nginxItems(m.d, series(now.Add(-time.Minute)))
	if len(items) != 1 || items[0].Severity != attention.Warn { // 10% is over 5%, under 15%
		t.Fatalf("items = %+v", items)
	}
}

// TestAmazonClearingNotCrit: blocked answers that stopped 70 minutes ago
// (none in the last hour) are WARN "probably clearing" with the clearing
// window, in both languages; it used to be "BLOCKED since … (1h10m)", CRIT.
func TestAmazonClearingNotCrit(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"probably clearing: no blocked request since", "usually clears", "Amazon block probably clearing: none since"},
		"ja": {"解除待ち:", "解除見込み", "Amazon ブロック解除待ち"},
	} {
		m, _ := fixture(t)
		m.d.Cfg.Lang, m.d.Lang = lang, lang
		now := m.d.Now()
		det, err := amazon.NewDetector(m.d.Cfg.Amazon)
		if err != nil {
			t.Fatal(err)
		}
		last := now.Add(-70 * time.Minute)
		st := det.Summarize([]amazon.Hit{{Time: last.Add(-2 * time.Minute), Source: "django"}, {Time: last, Source: "django"}}, now)
		m.Update(amazonMsg{st: st})
		m.SetSize(120, 200)
		v := ansi.Strip(m.View())
		for _, w := range want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: view lacks %q:\n%s", lang, w, v)
			}
		}
		if items := m.items(); len(items) == 0 || items[0].Source != srcAmazon || items[0].Severity != attention.Warn {
			t.Errorf("%s: items %+v", lang, items)
		}
		if strings.Contains(v, "BLOCKED") || strings.Contains(v, "ブロック中") {
			t.Errorf("%s: still shown as blocked:\n%s", lang, v)
		}
	}
}

// TestHintsActFromTheOverview: an item another tab acts on (its key p, s,
// R would do nothing here) says enter, and enter switches to that tab; the
// Overview's own C and l are shown as they are.
func TestHintsActFromTheOverview(t *testing.T) {
	m, _ := fixture(t)
	m.Update(attention.Report{Source: "jobs", Items: []attention.Item{
		{Severity: attention.Crit, Source: "jobs", Text: "index-linux runs while the Mercari check is due", Key: "p", Area: attention.AreaJobs},
		{Severity: attention.Warn, Source: "services", Text: "redis is down", Key: "s", Area: attention.AreaServices},
		{Severity: attention.OK + 1, Source: "public", Text: "tmp is big", Key: "C"},
	}})
	v := ansi.Strip(m.View())
	for _, bad := range []string{"[p]", "[s]"} {
		if strings.Contains(v, bad) {
			t.Errorf("the Overview shows another tab's key %s:\n%s", bad, v)
		}
	}
	if strings.Count(v, "[enter]") != 2 || !strings.Contains(v, "[C]") {
		t.Fatalf("want two [enter] and [C]:\n%s", v)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg := cmd(); msg != (common.SwitchTabMsg{Index: common.TabJobs}) {
		t.Fatalf("enter gave %#v", msg)
	}
}

// TestNarrowAttentionKeepsTheKey: at 80 columns, in English and Japanese,
// an attention item's text is cut, never its key.
func TestNarrowAttentionKeepsTheKey(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		m, _ := fixture(t)
		m.d.Lang = lang
		m.SetSize(80, 22)
		m.Update(attention.Report{Source: "services", Items: []attention.Item{{Severity: attention.Crit, Source: "services",
			Text: strings.Repeat(m.d.T("index-linux is down and every search waits ", "index-linux が停止し検索が待たされています "), 4), Key: "s", Area: attention.AreaServices}}})
		n := 0
		for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
			if strings.Contains(l, "index-linux") {
				n++
				if !strings.HasSuffix(strings.TrimRight(l, " "), "[enter]") || common.Width(l) > 80 {
					t.Errorf("%s: the key is cut: %q", lang, l)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%s: the item is not on the screen:\n%s", lang, m.View())
		}
	}
}

// TestSparklinesFollowAResize: drawn at 120 columns with an hour of
// history and then at 80, the host rows' sparklines fit the line whole
// (no cut, no ellipsis), in both languages.
func TestSparklinesFollowAResize(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		m, _ := fixture(t)
		m.d.Lang = lang
		for i := range 90 {
			m.Update(hostMsg{snap: sysinfo.Snapshot{Time: now.Add(time.Duration(i-90) * 30 * time.Second), CPUs: 2, CPUPercent: float64(10 + i%50),
				MemPercent: 50, MemTotal: 8 << 30, MemUsed: 4 << 30,
				Disks: []sysinfo.Disk{{Mount: "/", Percent: 40, Free: 9 << 30}}}})
		}
		for _, w := range []int{120, 80} {
			m.SetSize(w, 60)
			rows := 0
			for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
				if !strings.Contains(l, "%") || !strings.ContainsAny(l, "▁▂▃▄▅▆▇█") || !strings.Contains(l, "░") {
					continue
				}
				rows++
				if common.Width(l) > w || strings.Contains(l, common.Ellipsis) {
					t.Errorf("%s at %d: the sparkline overflows: %q", lang, w, l)
				}
			}
			if rows == 0 {
				t.Fatalf("%s at %d: no host rows:\n%s", lang, w, m.View())
			}
		}
	}
}
