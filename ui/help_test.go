package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// helpTab is a fake tab whose short help is registry bindings.
type helpTab struct {
	*fakeTab
	short []key.Binding
}

func (h helpTab) ShortHelp() []key.Binding { return h.short }

// TestReadOnlyGreysRefusedKeys: in read-only mode the bottom bar draws the
// keys of changes (which the gate refuses) grey, and the others as before.
func TestReadOnlyGreysRefusedKeys(t *testing.T) {
	for _, ro := range []bool{false, true} {
		sh := newShell(t, ro)
		r := sh.deps.Keys()
		tab := helpTab{sh.app.tabs[0].(*fakeTab), []key.Binding{r.Nav.Up, r.DB.Expire, r.DB.Backup}}
		app := New(sh.deps, []common.Tab{tab})
		app.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		bar := app.helpView()
		grey := sh.deps.Styles.Muted
		for _, b := range []key.Binding{r.DB.Expire, r.DB.Backup} {
			if got := strings.Contains(bar, grey.Render(b.Help().Desc)); got != ro {
				t.Errorf("read-only %v: %q drawn grey = %v:\n%q", ro, b.Help().Desc, got, bar)
			}
		}
		if strings.Contains(bar, grey.Render(r.Nav.Up.Help().Desc)) {
			t.Errorf("read-only %v: a movement key is grey", ro)
		}
	}
}

// TestNarrowBarKeepsHelpAndQuit: at 80 columns, in English and Japanese,
// on every tab, the bottom bar ends with the tab keys, ? help and q quit
// however many keys the tab has (the tab's own are cut instead).
func TestNarrowBarKeepsHelpAndQuit(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		d := NewDeps(common.Deps{Cfg: sandboxConfig(t), Lang: lang, HostLabel: "demo-box", Now: func() time.Time { return frozen }})
		want := d.T("1-5 tabs  ? help  q quit", "1-5 タブ  ? ヘルプ  q 終了")
		app := New(d, Tabs(d))
		for i := range app.tabs {
			lines := strings.Split(uitest.Plain(uitest.Screen(app, 80, 24, common.SwitchTabMsg{Index: i})), "\n")
			if bar := strings.TrimRight(lines[len(lines)-1], " "); !strings.HasSuffix(bar, want) {
				t.Errorf("%s, tab %d: the bottom bar lost %q: %q", lang, i+1, want, bar)
			}
		}
	}
}
