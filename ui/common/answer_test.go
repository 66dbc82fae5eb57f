package common

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/config"
)

func TestAnswer(t *testing.T) {
	for _, tc := range []struct {
		key  tea.KeyPressMsg
		want Reply
	}{
		{tea.KeyPressMsg{Code: 'y', Text: "y"}, Yes},
		{tea.KeyPressMsg{Code: 'Y', Text: "Y"}, Yes},
		{tea.KeyPressMsg{Code: 'n', Text: "n"}, No},
		{tea.KeyPressMsg{Code: 'N', Text: "N"}, No},
		{tea.KeyPressMsg{Code: tea.KeyEscape}, Cancel},
		{tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, Cancel},
		{tea.KeyPressMsg{Code: tea.KeyEnter}, NoReply},
		{tea.KeyPressMsg{Code: 'q', Text: "q"}, NoReply},
	} {
		if got := Answer(tc.key); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.key.String(), got, tc.want)
		}
	}
}

func TestIsChange(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		r := NewKeys(func(en, ja string) string { return config.Pick(lang, en, ja) })
		for _, b := range r.Changes() {
			if !r.IsChange(b) {
				t.Errorf("%s: %q is not a change", lang, b.Help().Key)
			}
		}
		for _, b := range []key.Binding{r.Nav.Up, r.Nav.Enter, r.Global.Refresh, r.Logs.Search, r.Jobs.Log, r.Services.Log} {
			if r.IsChange(b) {
				t.Errorf("%s: %q %q counted as a change", lang, b.Help().Key, b.Help().Desc)
			}
		}
	}
}
