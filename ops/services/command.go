package services

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/richs/richsops/ops/host"
)

// commandStatus runs the service's status argv: exit 0 is up, any other
// exit is down, and a command that could not run (or timed out) is unknown.
func commandStatus(ctx context.Context, h host.Host, s Spec) Status {
	st := base(s)
	if len(s.Status) == 0 {
		st.State, st.Detail = Unknown, "no status command configured"
		return st
	}
	res, err := h.Run(ctx, host.Cmd{Argv: s.Status, Timeout: 15 * time.Second})
	first := firstLine(string(res.Stdout))
	if first == "" {
		first = firstLine(string(res.Stderr))
	}
	var exit *host.ExitError
	switch {
	case err == nil:
		st.State, st.Detail = Up, first
	case errors.As(err, &exit):
		st.State, st.Detail = Down, first
		if st.Detail == "" {
			st.Detail = err.Error()
		}
	default:
		st.State, st.Detail = Unknown, err.Error()
	}
	return st
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 120
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strings.TrimSpace(s)
}
