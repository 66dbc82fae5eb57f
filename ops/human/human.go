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

// Count is 1,000 or 12,345: a count with thousands separated.
func Count(n int) string {
	if n < 0 {
		return "-" + Count(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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

// DurationT is Duration in the language tr picks. Japanese has its own
// units, largest two, a zero second part left out: 151ミリ秒, 12秒, 27分,
// 6時間50分, 3日4時間. Minutes drop their seconds, as Japanese screens do
// (27分前, not 27分08秒前).
func DurationT(tr func(en, ja string) string, d time.Duration) string {
	if tr == nil || tr("en", "ja") != "ja" {
		return Duration(d)
	}
	if d < 0 {
		d = -d
	}
	two := func(n int, unit string, m int, unit2 string) string {
		if m == 0 {
			return fmt.Sprintf("%d%s", n, unit)
		}
		return fmt.Sprintf("%d%s%d%s", n, unit, m, unit2)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dミリ秒", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%d秒", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d分", int(d.Minutes()))
	case d < 24*time.Hour:
		return two(int(d.Hours()), "時間", int(d.Minutes())%60, "分")
	default:
		return two(int(d.Hours())/24, "日", int(d.Hours())%24, "時間")
	}
}

// Ago is "4m10s ago" ("in 4m10s" for the future), "never" for the zero time.
func Ago(t, now time.Time) string {
	return AgoT(func(en, _ string) string { return en }, t, now)
}

// AgoT is Ago in the language tr picks: "4分前", "6時間50分後", "なし" in
// Japanese.
func AgoT(tr func(en, ja string) string, t, now time.Time) string {
	if t.IsZero() {
		return tr("never", "なし")
	}
	if t.After(now) {
		d := DurationT(tr, t.Sub(now))
		return tr("in "+d, d+"後")
	}
	d := DurationT(tr, now.Sub(t))
	return tr(d+" ago", d+"前")
}

// Limit is a configured percentage as it was set: 98%, 13.54%. A limit is
// shown the same way everywhere, never rounded to a figure it is not.
func Limit(pct float64) string {
	return strconv.FormatFloat(pct, 'f', -1, 64) + "%"
}
