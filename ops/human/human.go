// Package human formats sizes, durations and times the way operators read
// them, for the screens and the CLI alike.
package human

import (
	"fmt"
	"strconv"
	"time"
)

// Bytes is 1.5 GiB, 320 MiB, 12 KiB, 512 B.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + Bytes(-n)
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v >= 100 {
		return fmt.Sprintf("%.0f %ciB", v, "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// Duration is 3d4h, 2h05m, 4m10s, 12s, 350ms.
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		days, hours := int(d.Hours())/24, int(d.Hours())%24
		if hours == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, hours)
	}
}

// Ago is "4m10s ago" ("in 4m10s" for the future), "never" for the zero time.
func Ago(t, now time.Time) string {
	return AgoT(func(en, _ string) string { return en }, t, now)
}

// AgoT is Ago in the language tr picks: "4m10s前", "4m10s後", "なし" in
// Japanese.
func AgoT(tr func(en, ja string) string, t, now time.Time) string {
	if t.IsZero() {
		return tr("never", "なし")
	}
	if t.After(now) {
		d := Duration(t.Sub(now))
		return tr("in "+d, d+"後")
	}
	d := Duration(now.Sub(t))
	return tr(d+" ago", d+"前")
}

// Limit is a configured percentage as it was set: 98%, 13.54%. A limit is
// shown the same way everywhere, never rounded to a figure it is not.
func Limit(pct float64) string {
	return strconv.FormatFloat(pct, 'f', -1, 64) + "%"
}
