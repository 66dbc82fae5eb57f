package common

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestHostBadge(t *testing.T) {
	d := &Deps{Styles: DefaultStyles()}
	for name, want := range map[string]string{"": "", "local": "", "db1": "@ db1"} {
		if got := ansi.Strip(HostBadge(d, name)); got != want {
			t.Errorf("HostBadge(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestWordAndNavKeys(t *testing.T) {
	ja := map[string]string{"refused": "接続拒否"}
	for _, c := range []struct{ lang, id, want string }{
		{"en", "refused", "refused"},
		{"ja", "refused", "接続拒否"},
		{"ja", "dns", "dns"}, // not in the table: as it is
	} {
		d := &Deps{Lang: c.lang}
		if got := d.Word(c.id, ja); got != c.want {
			t.Errorf("%s Word(%q) = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
	en, jp := NewNavKeys((&Deps{Lang: "en"}).T), NewNavKeys((&Deps{Lang: "ja"}).T)
	if en.Back.Help().Desc != "back" || jp.Back.Help().Desc != "戻る" || jp.PgDown.Help().Desc != "次ページ" {
		t.Errorf("nav help: en %q, ja %q %q", en.Back.Help().Desc, jp.Back.Help().Desc, jp.PgDown.Help().Desc)
	}
	if len(jp.Up.Keys()) != 2 || jp.Up.Keys()[1] != "k" || jp.Enter.Help().Key != "enter" {
		t.Errorf("keys changed: %v %q", jp.Up.Keys(), jp.Enter.Help().Key)
	}
}
