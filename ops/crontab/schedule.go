package crontab

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is the time part of a cron line: five fields, or an @keyword.
type Schedule struct {
	Spec   string // as written ("0 3 * * *", "@daily")
	Reboot bool   // @reboot: runs once at boot, never on the clock

	minute, hour, dom, month, dow uint64 // bit sets
	domStar, dowStar              bool   // cron's day rule: both restricted = either matches
}

var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var dowNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseSchedule parses five cron fields (joined by single spaces) or an @keyword.
func ParseSchedule(spec string) (Schedule, error) {
	s := Schedule{Spec: spec}
	if strings.HasPrefix(spec, "@") {
		kw := strings.ToLower(spec)
		if kw == "@reboot" {
			s.Reboot = true
			return s, nil
		}
		m, ok := macros[kw]
		if !ok {
			return s, fmt.Errorf("unknown schedule %q", spec)
		}
		spec = m
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return s, fmt.Errorf("schedule %q: want 5 fields, got %d", spec, len(f))
	}
	var err error
	if s.minute, err = parseField(f[0], 0, 59, nil); err != nil {
		return s, fmt.Errorf("minute: %w", err)
	}
	if s.hour, err = parseField(f[1], 0, 23, nil); err != nil {
		return s, fmt.Errorf("hour: %w", err)
	}
	if s.dom, err = parseField(f[2], 1, 31, nil); err != nil {
		return s, fmt.Errorf("day of month: %w", err)
	}
	if s.month, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return s, fmt.Errorf("month: %w", err)
	}
	if s.dow, err = parseField(f[4], 0, 7, dowNames); err != nil {
		return s, fmt.Errorf("day of week: %w", err)
	}
	if s.dow&(1<<7) != 0 { // 7 is Sunday too
		s.dow |= 1
	}
	s.domStar = f[2] == "*" || strings.HasPrefix(f[2], "*/")
	s.dowStar = f[4] == "*" || strings.HasPrefix(f[4], "*/")
	return s, nil
}

// parseField parses a comma list of *, N, N-M, with optional /STEP; names
// (first names[i] = lo+i) are accepted where cron accepts them.
func parseField(field string, lo, hi int, names []string) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n <= 0 || n > hi {
				return 0, fmt.Errorf("bad step %q", stepStr)
			}
			step = n
		}
		var from, to int
		switch {
		case rng == "*":
			from, to = lo, hi
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = value(a, lo, hi, names); err != nil {
				return 0, err
			}
			if to, err = value(b, lo, hi, names); err != nil {
				return 0, err
			}
			if to < from {
				return 0, fmt.Errorf("bad range %q", rng)
			}
		default:
			v, err := value(rng, lo, hi, names)
			if err != nil {
				return 0, err
			}
			from, to = v, v
			if hasStep { // "5/10" means 5-hi/10 in cronie
				to = hi
			}
		}
		for v := from; v <= to; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func value(s string, lo, hi int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("bad value %q (want %d-%d)", s, lo, hi)
	}
	return v, nil
}

func (s Schedule) dayMatches(t time.Time) bool {
	domOK := s.dom&(1<<uint(t.Day())) != 0
	dowOK := s.dow&(1<<uint(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}

// Next is the first time strictly after t at which the schedule fires, in
// t's location. ok is false for @reboot and for schedules that never fire
// (31 February) within eight years.
func (s Schedule) Next(t time.Time) (time.Time, bool) {
	if s.Reboot || s.minute == 0 {
		return time.Time{}, false
	}
	loc := t.Location()
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(8, 0, 0)
	for t.Before(limit) {
		switch {
		case s.month&(1<<uint(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
		case s.hour&(1<<uint(t.Hour())) == 0:
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, loc)
		case s.minute&(1<<uint(t.Minute())) == 0:
			t = t.Add(time.Minute)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}

// Between lists the fire times in (from, to], at most max of them.
func (s Schedule) Between(from, to time.Time, max int) []time.Time {
	var out []time.Time
	for len(out) < max {
		n, ok := s.Next(from)
		if !ok || n.After(to) {
			break
		}
		out = append(out, n)
		from = n
	}
	return out
}
