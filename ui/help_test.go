package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ui/common"
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
