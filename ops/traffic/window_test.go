package traffic

import (
	"testing"

	"github.com/richs/richsops/ops/config"
)

// TestShareWindow: the whole-file shares say over what they are, in both
// languages, so they are not mistaken for the attention list's 15 minutes.
func TestShareWindow(t *testing.T) {
	en, ja := config.Default(), config.Default()
	en.Lang, ja.Lang = "en", "ja"
	for _, c := range []struct {
		partial bool
		t       func(en, ja string) string
		want    string
	}{
		{false, nil, "whole log"},
		{false, en.T, "whole log"},
		{false, ja.T, "ログ全体"},
		{true, en.T, "last 16.0 MiB of the log"},
		{true, ja.T, "ログ末尾 16.0 MiB"},
	} {
		s := Summary{Partial: c.partial}
		if got := s.ShareWindow(c.t, 16<<20); got != c.want {
			t.Errorf("partial %v: %q, want %q", c.partial, got, c.want)
		}
	}
}
