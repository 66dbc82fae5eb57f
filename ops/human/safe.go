package human

import (
	"strings"
	"unicode/utf8"
)

// Safe makes text from a log (attacker input) harmless on a terminal: C0
// and C1 control characters, DEL and invalid UTF-8 become spaces, so no
// escape sequence survives, and the result is cut to max bytes (0 = no cut)
// at a character boundary.
func Safe(s string, max int) string {
	if max > 0 && len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}
