package services

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/richs/richsops/ops/host"
)

// ShowProps are the unit properties read by `systemctl show -p`.
const ShowProps = "Id,ActiveState,SubState,MainPID,ActiveEnterTimestamp,InactiveEnterTimestamp,LoadState,UnitFileState,CanReload"

// ShowArgv is the systemctl call that reads the units' state.
func ShowArgv(systemctl []string, units ...string) []string {
	argv := append(append([]string(nil), systemctl...), "show", "-p", ShowProps)
	return append(argv, units...)
}

// UnitArgv is `systemctl VERB UNIT`.
func UnitArgv(systemctl []string, v Verb, unit string) []string {
	return append(append([]string(nil), systemctl...), string(v), unit)
}

// UnitProps is one unit's block of `systemctl show` output.
type UnitProps map[string]string

// ParseShow splits `systemctl show` output of several units into one map
// per unit, in order (systemctl separates units by an empty line).
func ParseShow(out string) []UnitProps {
	var all []UnitProps
	cur := UnitProps{}
	flush := func() {
		if len(cur) > 0 {
			all = append(all, cur)
			cur = UnitProps{}
		}
	}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if _, dup := cur[k]; dup {
			// A unit whose block lost its separator: start a new one.
			flush()
		}
		cur[k] = v
	}
	flush()
	return all
}

// systemdTimeLayouts are how systemctl prints timestamps ("Fri 2026-11-27
// 03:12:08 JST"); newer versions may add microseconds.
var systemdTimeLayouts = []string{
	"Mon 2006-01-02 15:04:05 MST",
	"Mon 2006-01-02 15:04:05.000000 MST",
	"Mon 2006-01-02 15:04:05",
}

// ParseSystemdTime reads a systemctl timestamp; the zero time for "" or "n/a".
// The zone abbreviation is resolved against the local zone (the box and
// richsops share it), as time.Parse does.
func ParseSystemdTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || s == "n/a" || s == "0" {
		return time.Time{}
	}
	if n, ok := strings.CutPrefix(s, "@"); ok { // --timestamp=unix
		if sec, err := strconv.ParseInt(n, 10, 64); err == nil {
			return time.Unix(sec, 0)
		}
	}
	for _, l := range systemdTimeLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}

// unitStatus turns one unit's properties into a Status.
func unitStatus(s Spec, p UnitProps) Status {
	st := base(s)
	active, sub, load := p["ActiveState"], p["SubState"], p["LoadState"]
	st.LoadState, st.UnitFileState = load, p["UnitFileState"]
	st.PID, _ = strconv.Atoi(p["MainPID"])
	st.Since = ParseSystemdTime(p["ActiveEnterTimestamp"])
	if p["CanReload"] == "yes" {
		st.CanReload = true
	}
	st.Detail = active
	if sub != "" {
		st.Detail += " (" + sub + ")"
	}
	switch {
	case load == "not-found":
		st.State, st.Detail = Unknown, "unit "+s.Unit+" not found"
	case load == "masked":
		st.State, st.Detail = Down, "masked"
	case active == "active" && (sub == "running" || sub == "exited" || sub == "listening" || sub == "mounted" || sub == "plugged" || sub == ""):
		st.State = Up
	case active == "active" || active == "reloading" || active == "activating" || active == "deactivating" || active == "refreshing":
		st.State = Degraded
	case active == "failed" || active == "inactive":
		st.State = Down
	default:
		st.State = Unknown
		if active == "" {
			st.Detail = "no ActiveState in systemctl output"
		}
	}
	if st.State != Up {
		// ActiveEnterTimestamp is when it last became active: for a
		// stopped unit "since" is when it went down.
		if t := ParseSystemdTime(p["InactiveEnterTimestamp"]); !t.IsZero() {
			st.Since = t
		}
	}
	return st
}

// systemdStatus reads units on one host with one systemctl call.
func systemdStatus(ctx context.Context, h host.Host, specs []Spec) []Status {
	out := make([]Status, len(specs))
	units := make([]string, len(specs))
	for i, s := range specs {
		units[i] = s.Unit
	}
	argv := ShowArgv(specs[0].Systemctl, units...)
	res, err := h.Run(ctx, host.Cmd{Argv: argv, Timeout: 15 * time.Second})
	blocks := ParseShow(string(res.Stdout))
	if err != nil && len(blocks) != len(specs) {
		for i, s := range specs {
			out[i] = unknown(s, fmt.Errorf("%s: %w", host.ShellQuote(argv[:len(specs[0].Systemctl)+1]), err))
		}
		return out
	}
	byID := map[string]UnitProps{}
	for _, b := range blocks {
		byID[b["Id"]] = b
	}
	for i, s := range specs {
		p, ok := byID[s.Unit]
		if !ok {
			p, ok = byID[s.Unit+".service"]
		}
		if !ok && len(blocks) == len(specs) {
			p, ok = blocks[i], true
		}
		if !ok {
			out[i] = unknown(s, fmt.Errorf("systemctl show said nothing about %s", s.Unit))
			continue
		}
		out[i] = unitStatus(s, p)
	}
	return out
}
