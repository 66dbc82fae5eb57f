package mysql

import (
	"fmt"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/human"
)

// String describes the expiry in force and the variables behind it.
func (e Expiry) String() string {
	var parts []string
	if e.Days != nil {
		parts = append(parts, fmt.Sprintf("expire_logs_days=%g", *e.Days))
	}
	if e.Seconds != nil {
		parts = append(parts, fmt.Sprintf("binlog_expire_logs_seconds=%d", *e.Seconds))
	}
	eff := "never"
	if e.EffectiveSecs > 0 {
		eff = human.Duration(e.Effective())
	}
	return eff + " (" + strings.Join(parts, ", ") + ")"
}

// ParseBefore reads --before: a date, a date and time (local), RFC 3339,
// or an age ("3d", "12h") meaning that long ago.
func ParseBefore(s string, now time.Time) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Local(), nil
	}
	if d, err := config.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--before %q: want 2006-01-02, \"2006-01-02 15:04:05\", RFC 3339 or an age like 3d", s)
}
