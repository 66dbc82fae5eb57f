package human

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	en := func(en, _ string) string { return en }
	ja := func(_, ja string) string { return ja }
	now := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at     time.Time
		en, ja string
	}{
		{now.Add(-time.Second), "1s ago", "1s前"},
		{now.Add(-250 * time.Second), "4m10s ago", "4m10s前"},
		{now.Add(250 * time.Second), "in 4m10s", "4m10s後"},
		{now.Add(9*time.Hour + 34*time.Minute), "in 9h34m", "9h34m後"},
		{now, "0ms ago", "0ms前"},
		{time.Time{}, "never", "なし"},
	} {
		if got := AgoT(en, c.at, now); got != c.en {
			t.Errorf("AgoT(en, %v) = %q, want %q", c.at, got, c.en)
		}
		if got := AgoT(ja, c.at, now); got != c.ja {
			t.Errorf("AgoT(ja, %v) = %q, want %q", c.at, got, c.ja)
		}
		if got := Ago(c.at, now); got != c.en {
			t.Errorf("Ago(%v) = %q, want %q", c.at, got, c.en)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
