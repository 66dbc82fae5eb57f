package common

import (
	"strconv"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// A key means one kind of thing wherever it is bound: the same key in two
// groups (or twice in one) carries the same meaning.
func TestRegistryOneMeaningPerKey(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		r := NewKeys((&Deps{Lang: lang}).T)
		seen := map[string]string{} // key -> meaning
		where := map[string]string{}
		for _, g := range r.Groups() {
			for _, e := range g.Entries {
				if len(e.Binding.Keys()) == 0 {
					t.Errorf("%s: a %q binding with no key", lang, e.Meaning)
				}
				for _, k := range e.Binding.Keys() {
					if m, ok := seen[k]; ok && m != e.Meaning {
						t.Errorf("%s: key %q means %q (%s) and %q (tab %d)", lang, k, m, where[k], e.Meaning, g.Tab)
					}
					seen[k], where[k] = e.Meaning, "tab "+strconv.Itoa(g.Tab)
				}
			}
		}
		// refresh is ctrl+r everywhere, and r alone means nothing
		if m := seen["ctrl+r"]; m != "refresh" {
			t.Errorf("ctrl+r means %q", m)
		}
		if m, ok := seen["r"]; ok {
			t.Errorf("r is bound (%q): it refreshed on some tabs and acted on others", m)
		}
	}
}

// The dangerous verbs are capitals (and confirmed by the dialog besides).
func TestDangerousVerbsAreCapitals(t *testing.T) {
	r := NewKeys((&Deps{Lang: "en"}).T)
	for name, b := range map[string]key.Binding{
		"run now": r.Jobs.Run, "kill all": r.Jobs.KillAll, "override": r.Jobs.Override, "another": r.Jobs.Force,
		"stop": r.Services.Stop, "restart": r.Services.Restart,
		"purge": r.DB.Purge, "purge before": r.DB.PurgeBefore, "expiry": r.DB.Expire, "clean": r.Overview.Clean,
	} {
		k := b.Keys()[0]
		if strings.ToUpper(k) != k || strings.ToLower(k) == k {
			t.Errorf("%s is %q, not a capital", name, k)
		}
	}
}

// The full help of each tab holds every binding of its group (with help
// text, in the language) and the movement keys.
func TestHelpColumnsListEveryBinding(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		r := NewKeys((&Deps{Lang: lang}).T)
		for _, g := range r.Groups()[2:] {
			var shown []string
			for _, col := range r.HelpColumns(g.Tab, HelpRows) {
				if len(col) > HelpRows {
					t.Errorf("tab %d: a column of %d", g.Tab, len(col))
				}
				for _, b := range col {
					shown = append(shown, b.Help().Key+" "+b.Help().Desc)
				}
			}
			all := strings.Join(shown, "\n")
			for _, gg := range []Group{g, r.Groups()[1]} {
				for _, e := range gg.Entries {
					h := e.Binding.Help()
					if h.Key == "" { // the second key of a pair (n/N) shares its help line
						continue
					}
					if !strings.Contains(all, h.Key+" "+h.Desc) {
						t.Errorf("%s tab %d: %q not in the help", lang, g.Tab, h.Key+" "+h.Desc)
					}
				}
			}
		}
	}
}
