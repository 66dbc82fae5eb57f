package human

import "testing"

func TestSafe(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"GET /a\x1b]0;pwned\x07 ok", 0, "GET /a ]0;pwned  ok"},
		{"商品名\u009b31m", 0, "商品名 31m"},
		{"bad\xffutf8", 0, "bad utf8"},
		{"商品名", 4, "商"}, // cut at a character boundary
	} {
		if got := Safe(c.in, c.max); got != c.want {
			t.Errorf("Safe(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
