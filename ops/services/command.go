package services

import (
	"context"
	"errors"
	"strconv"
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
	if st.State == Up && s.PIDFile != "" {
		st.PID, st.Since = readPIDFile(ctx, h, s.PIDFile)
	}
	return st
}

// readPIDFile is the pid written in the file and the file's mtime (when the
// service wrote it, at start); zeroes when it is missing or unreadable.
func readPIDFile(ctx context.Context, h host.Host, path string) (int, time.Time) {
	data, err := h.ReadFile(ctx, path)
	if err != nil {
		return 0, time.Time{}
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, time.Time{}
	}
	fi, err := h.Stat(ctx, path)
	if err != nil {
		return pid, time.Time{}
	}
	return pid, fi.ModTime
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
