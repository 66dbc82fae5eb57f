// Package gatetest checks the texts of gate actions: that a preview or an
// outcome says what it should, in the language asked for. Only tests
// import it.
package gatetest

import (
	"strings"
	"testing"

	"github.com/richs/richsops/ops/gate"
)

// Has fails t unless lines (what: "preview", "details") hold every one of
// want, and none shows a fmt mistake ("%!").
func Has(t testing.TB, what string, lines []string, want ...string) {
	t.Helper()
	text := strings.Join(lines, "\n")
	t.Logf("%s:\n%s", what, text)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if strings.Contains(text, "%!") {
		t.Errorf("%s has a fmt mistake", what)
	}
}

// PreviewHas builds an action and checks its preview with Has.
func PreviewHas(t testing.TB, build func() (gate.Action, error), want ...string) gate.Action {
	t.Helper()
	a, err := build()
	if err != nil {
		t.Fatal(err)
	}
	Has(t, "preview", a.Preview, want...)
	return a
}
