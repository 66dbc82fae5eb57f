// Package gatetest checks the texts of gate actions: that a preview, an
// outcome or a refusal says what it should, in the language asked for.
// Only tests import it.
package gatetest

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/config"
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

// Match reports whether got is want, where each * in want stands for any
// text (a disk percentage, a PATH, a temporary folder).
func Match(want, got string) bool {
	re := strings.ReplaceAll(regexp.QuoteMeta(want), `\*`, `.*`)
	return regexp.MustCompile("^" + re + "$").MatchString(got)
}

// Refusal is an error of ops to provoke with lang = en and with ja.
type Refusal struct {
	Name   string
	Err    func(t *testing.T, lang string) error
	En, Ja string // the texts (see Match); En is byte for byte the old English
	Is     error  // errors.Is must still hold (nil: not checked)
}

// Refusals provokes each refusal in both languages and checks its text, its
// identity, and that its English twin (what the audit log records) is En.
func Refusals(t *testing.T, cases []Refusal) {
	t.Helper()
	for _, tc := range cases {
		for _, lang := range []string{"en", "ja"} {
			t.Run(tc.Name+"/"+lang, func(t *testing.T) {
				err := tc.Err(t, lang)
				if want := config.Pick(lang, tc.En, tc.Ja); err == nil || !Match(want, err.Error()) {
					t.Fatalf("got  %v\nwant %s", err, want)
				}
				if tc.Is != nil && !errors.Is(err, tc.Is) {
					t.Errorf("errors.Is(%v) lost", tc.Is)
				}
				if e, ok := err.(interface{ English() string }); ok && !Match(tc.En, e.English()) {
					t.Errorf("English twin %q, want %s", e.English(), tc.En)
				}
			})
		}
	}
}
