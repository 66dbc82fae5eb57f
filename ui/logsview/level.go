package logsview

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ui/common"
)

// level is how serious a log line is, for colour and the e/E jumps.
type level int

const (
	levelNone level = iota
	levelDebug
	levelInfo // also nginx 3xx
	levelWarn // also nginx 4xx
	levelError
)

// scanBytes bounds the level search: the level is near the start.
const scanBytes = 200

// lineLevel classifies a line by the log kind (config.Log.Kind).
func lineLevel(kind, s string) level {
	switch kind {
	case "nginx-access":
		return accessLevel(s)
	case "nginx-error":
		return nginxErrorLevel(s)
	}
	return wordLevel(s)
}

// wordLevel finds the first Python logging level word (ERROR, WARNING, ...)
// near the start of the line. A traceback line counts as an error.
func wordLevel(s string) level {
	if len(s) > scanBytes {
		s = s[:scanBytes]
	}
	if isTraceback(s) {
		return levelError
	}
	for i := 0; i < len(s); {
		if !isUpper(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isUpper(s[j]) {
			j++
		}
		if (i == 0 || !isLetter(s[i-1])) && (j == len(s) || !isLetter(s[j])) {
			switch s[i:j] {
			case "ERROR", "CRITICAL", "FATAL", "EXCEPTION":
				return levelError
			case "WARNING", "WARN":
				return levelWarn
			case "INFO":
				return levelInfo
			case "DEBUG":
				return levelDebug
			}
		}
		i = j
	}
	return levelNone
}

// isTraceback is the first line of a Python traceback.
func isTraceback(s string) bool { return strings.HasPrefix(s, "Traceback (most recent call last)") }

// recordStart is whether a line begins a log record: nginx writes one line
// per record; the app's lines start with a timestamp ("2026-11-27 10:14:02",
// "[27/Nov/2026 10:14:02]", "Nov 27 10:14:02") or a level word. Anything
// else (a traceback, its "  File ..." lines, "ValueError: ...") continues
// the record above.
func recordStart(kind, s string) bool {
	switch kind {
	case "nginx-access", "nginx-error":
		return true
	}
	s = strings.TrimPrefix(s, "[")
	if s == "" {
		return false
	}
	if isDigit(s[0]) {
		return true
	}
	j := 0
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	switch s[:j] {
	case "ERROR", "CRITICAL", "FATAL", "WARNING", "WARN", "INFO", "DEBUG":
		return true
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return len(s) > j+1 && s[j] == ' ' && (isDigit(s[j+1]) || s[j+1] == ' ')
	}
	return false
}

func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLetter(c byte) bool { return isUpper(c) || (c >= 'a' && c <= 'z') }

// accessLevel reads the status of a combined-format access line:
// `... "GET / HTTP/1.1" 503 ...`.
func accessLevel(s string) level {
	i := strings.Index(s, `" `)
	for i >= 0 && i+5 <= len(s) {
		st := s[i+2 : i+5]
		if st[0] >= '1' && st[0] <= '5' && isDigit(st[1]) && isDigit(st[2]) && (i+5 == len(s) || s[i+5] == ' ') {
			switch st[0] {
			case '5':
				return levelError
			case '4':
				return levelWarn
			case '3':
				return levelInfo
			}
			return levelNone
		}
		next := strings.Index(s[i+2:], `" `)
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return levelNone
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// nginxErrorLevel reads `2026/11/27 03:12:07 [error] 123#0: ...`.
func nginxErrorLevel(s string) level {
	if len(s) > scanBytes {
		s = s[:scanBytes]
	}
	a := strings.IndexByte(s, '[')
	if a < 0 {
		return levelNone
	}
	b := strings.IndexByte(s[a:], ']')
	if b < 0 {
		return levelNone
	}
	switch s[a+1 : a+b] {
	case "error", "crit", "alert", "emerg":
		return levelError
	case "warn":
		return levelWarn
	case "notice", "info":
		return levelInfo
	case "debug":
		return levelDebug
	}
	return levelNone
}

// levelStyle is the colour of a line of that level.
func levelStyle(st *common.Styles, l level) lipgloss.Style {
	switch l {
	case levelError:
		return st.Crit
	case levelWarn:
		return st.Warn
	case levelDebug:
		return st.Muted
	}
	return plainStyle
}

var plainStyle = lipgloss.NewStyle()
