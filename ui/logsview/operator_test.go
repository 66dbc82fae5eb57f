package logsview

import (
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// rowsWith are the rows of the view that contain s.
func rowsWith(m *Model, s string) []string {
	var out []string
	for _, r := range strings.Split(m.View(), "\n") {
		if strings.Contains(uitest.Plain(r), s) {
			out = append(out, r)
		}
	}
	return out
}

// A filter applied while paused shows every match that fits, not the
// last one over blank rows; a filter matching nothing says so.
func TestFilterWhilePausedShowsEveryMatch(t *testing.T) {
	content := numbered(300, func(i int) string {
		if i%8 == 0 {
			return "2026-11-27 03:00:00 ERROR failed item " + itoa(i)
		}
		return "2026-11-27 03:00:00 INFO ok item " + itoa(i)
	})
	m, _ := newTestTab(t, 80, 24, [2]string{"app", content})
	p := openFirst(t, m, 300)
	press(m, "space", "f")
	typeText(m, "error")
	press(m, "enter")
	if p.count() != 38 {
		t.Fatalf("filter: %d lines, want 38", p.count())
	}
	if got, want := len(rowsWith(m, "ERROR failed")), p.bodyHeight(); got != want {
		t.Errorf("paused filter shows %d matches in %d rows:\n%s", got, want, uitest.Plain(m.View()))
	}
	press(m, "f")
	typeText(m, "no-such-text")
	press(m, "enter")
	if len(rowsWith(m, `no line matches "no-such-text"`)) != 1 || len(rowsWith(m, "no lines yet")) != 0 {
		t.Errorf("a filter without a match must say so:\n%s", uitest.Plain(m.View()))
	}
}

// Context lines: groups apart by "--", context lines dimmed, the match of
// a long line scrolled into view.
func TestFilterContextGroups(t *testing.T) {
	long := "2026-11-27 03:00:00 INFO " + strings.Repeat("x", 150) + " NEEDLE at the end"
	content := numbered(100, func(i int) string {
		switch i {
		case 20, 60:
			return "2026-11-27 03:00:00 ERROR failed item " + itoa(i)
		case 90:
			return long
		}
		return "2026-11-27 03:00:00 INFO ok item " + itoa(i)
	})
	m, dir := newTestTab(t, 80, 30, [2]string{"app", content})
	p := openFirst(t, m, 100)
	press(m, "F")
	typeText(m, "ERROR|NEEDLE")
	press(m, "enter", "c") // ±2
	if p.count() != 15 {
		t.Fatalf("filter ±2: %d lines, want 15", p.count())
	}
	if got := len(rowsWith(m, groupSep)); got != 2 {
		t.Errorf("%d group separators, want 2:\n%s", got, uitest.Plain(m.View()))
	}
	dim, ctx := m.ink().dim.pre, rowsWith(m, "ok item 19")
	if dim == "" || len(ctx) != 1 || !strings.HasPrefix(ctx[0], dim) {
		t.Errorf("context line not dimmed: %q (dim %q)", ctx, dim)
	}
	if match := rowsWith(m, "failed item 20"); len(match) != 1 || strings.HasPrefix(match[0], dim) {
		t.Errorf("matching line dimmed: %q", match)
	}
	if got := rowsWith(m, "NEEDLE at"); len(got) != 1 || !strings.HasPrefix(uitest.Plain(got[0]), "…") {
		t.Errorf("the match past the cut is not in view: %q", got)
	}
	// save writes the groups as grep -C does.
	out := dir + "/saved.log"
	press(m, "ctrl+s")
	m.input.SetValue(out)
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m.Update(cmd())
	if data := readFile(t, out); strings.Count(data, "\n"+groupSep+"\n") != 2 {
		t.Errorf("saved without separators:\n%s", data)
	}
}

// e/E stop once per log record: a traceback belongs to the ERROR line above.
func TestErrorJumpsOncePerRecord(t *testing.T) {
	content := strings.Join([]string{
		"2026-11-27 03:00:00,001 INFO start",
		"2026-11-27 03:00:01,002 ERROR first failure",
		"Traceback (most recent call last):",
		`  File "/app/x.py", line 3, in f`,
		"ValueError: bad",
		"2026-11-27 03:00:02,003 INFO between",
		"[2026-11-27 03:00:03] ERROR second failure",
		"Traceback (most recent call last):",
		"KeyError: 'k'",
		"2026-11-27 03:00:04,004 INFO end",
	}, "\n") + "\n"
	m, _ := newTestTab(t, 80, 24, [2]string{"app", content})
	p := openFirst(t, m, 10)
	for _, step := range []struct{ key, want string }{
		{"E", "second failure"}, {"E", "first failure"}, {"e", "second failure"},
	} {
		press(m, step.key)
		if got := p.ring.At(p.cursor).Text; !strings.Contains(got, step.want) {
			t.Errorf("%s went to %q, want %s", step.key, got, step.want)
		}
	}
	press(m, "e")
	if got := p.ring.At(p.cursor).Text; !strings.Contains(got, "second failure") || !strings.Contains(m.View(), "no more ERROR lines") {
		t.Errorf("e past the last record went to %q", got)
	}
}

func TestRecordStart(t *testing.T) {
	for _, c := range []struct {
		kind, line string
		want       bool
	}{
		{"django", "2026-11-27 10:14:02,118 INFO x", true},
		{"django", "[27/Nov/2026 10:14:02] \"GET / HTTP/1.1\" 200", true},
		{"django", "ERROR richs.jobs failed", true},
		{"django", "[ERROR] failed", true},
		{"plain", "Nov 27 10:14:02 host cron[1]: x", true},
		{"django", "Traceback (most recent call last):", false},
		{"django", `  File "/app/x.py", line 3, in f`, false},
		{"django", "ValueError: bad", false},
		{"django", "During handling of the above exception, another exception occurred:", false},
		{"django", "Novelty: x", false},
		{"django", "", false},
		{"nginx-access", "  anything", true},
		{"nginx-error", "2026/11/27 03:12:07 [error] 1#0: x", true},
	} {
		if got := recordStart(c.kind, c.line); got != c.want {
			t.Errorf("recordStart(%s, %q) = %v, want %v", c.kind, c.line, got, c.want)
		}
	}
}

// Jobs' l names the pane after the job: the [[logs]] pane of that file is
// focused instead of a second one, and a log of no [[logs]] entry is in
// the picker, to close it there.
func TestJobLogFocusesThePaneOfItsFile(t *testing.T) {
	m, dir := newTestTab(t, 80, 24, [2]string{"django", "INFO a\n"}, [2]string{"inventory-mercari", "INFO b\n"})
	press(m, "j", "enter", "o")
	if len(m.panes) != 1 || m.focused().src.Name != "inventory-mercari" {
		t.Fatal("the picker did not open inventory-mercari")
	}
	press(m, "o", "k", "enter", "o") // django too, focused
	_, cmd := m.Update(common.OpenLogMsg{Name: "check_item_mercari", Path: dir + "/inventory-mercari.log", Kind: "django"})
	run(m, cmd)
	if len(m.panes) != 2 || m.focused().src.Name != "inventory-mercari" {
		t.Fatalf("job log: %d panes, focus %q; want the inventory-mercari pane focused", len(m.panes), m.focused().src.Name)
	}
	other := dir + "/other.log"
	writeFile(t, other, "INFO c\n")
	_, cmd = m.Update(common.OpenLogMsg{Name: "other_job", Path: other, Kind: "django"})
	run(m, cmd)
	press(m, "o")
	if len(m.panes) != 3 || len(rowsWith(m, "[x] other_job")) != 1 {
		t.Fatalf("the job's own log is not in the picker:\n%s", uitest.Plain(m.View()))
	}
	press(m, "j", "j", "enter")
	if len(m.panes) != 2 || m.pick != 1 {
		t.Errorf("enter on it in the picker did not close it: %d panes, picker on row %d", len(m.panes), m.pick)
	}
}

// The first visit opens [logview] open; a later visit does not reopen
// what the operator closed.
func TestFirstVisitOpensConfiguredLogs(t *testing.T) {
	m, _ := newTestTab(t, 200, 40, [2]string{"a", "1\n"}, [2]string{"b", "2\n"}, [2]string{"c", "3\n"}, [2]string{"d", "4\n"}, [2]string{"e", "5\n"})
	m.visited = false
	m.d.Cfg.LogView.Open = []string{"a", "b", "c", "d"}
	_, cmd := m.Update(common.ActiveMsg{Active: true})
	run(m, cmd)
	var names []string
	for _, p := range m.panes {
		names = append(names, p.src.Name)
	}
	if strings.Join(names, ",") != "a,b,c,d" || m.picker || m.focus != 0 {
		t.Fatalf("first visit: panes %v, picker %v, focus %d", names, m.picker, m.focus)
	}
	// The app sends ActiveMsg before the OpenLogMsg of another tab's l:
	// that pane keeps the focus.
	_, cmd = m.Update(common.OpenLogMsg{Name: "e", Path: m.d.Cfg.Logs[4].Path})
	run(m, cmd)
	if len(m.panes) != 5 || m.focused().src.Name != "e" {
		t.Errorf("OpenLogMsg after the first visit: %d panes, focus %q", len(m.panes), m.focused().src.Name)
	}
	for len(m.panes) > 0 {
		m.closePane(0)
	}
	m.Update(common.ActiveMsg{Active: false})
	m.Update(common.ActiveMsg{Active: true})
	if len(m.panes) != 0 {
		t.Errorf("a second visit reopened %d panes", len(m.panes))
	}
}

// Side by side only while each pane keeps minPaneWidth cells; below, the
// panes stack.
func TestNarrowPanesStack(t *testing.T) {
	m, _ := newTestTab(t, 80, 24)
	for i := range 4 {
		m.panes = append(m.panes, newPane(i, source{Name: itoa(i)}, 10))
	}
	t.Cleanup(func() { m.panes = nil })
	for _, c := range []struct {
		w    int
		lay  layout
		cols int
	}{
		{80, layoutColumns, 1}, {119, layoutColumns, 1}, {120, layoutColumns, 2},
		{200, layoutColumns, 3}, {300, layoutColumns, 4}, {80, layoutGrid, 1},
		{120, layoutGrid, 2}, {300, layoutRows, 1},
	} {
		m.layout = c.lay
		m.SetSize(c.w, 24)
		if got := m.columns(); got != c.cols {
			t.Errorf("%d cells, layout %d: %d columns, want %d", c.w, c.lay, got, c.cols)
		}
		for _, p := range m.panes {
			if c.cols > 1 && p.w < minPaneWidth-1 {
				t.Errorf("%d cells: a pane of %d", c.w, p.w)
			}
		}
	}
}

// n without a search says there is none.
func TestNextWithoutSearchSaysSo(t *testing.T) {
	m, _ := newTestTab(t, 80, 24, [2]string{"app", "INFO a\n"})
	press(m, "enter", "o")
	press(m, "n")
	if len(rowsWith(m, "no search: / searches")) != 1 {
		t.Errorf("n without a search is silent:\n%s", uitest.Plain(m.View()))
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
