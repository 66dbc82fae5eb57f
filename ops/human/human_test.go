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

func TestLimit(t *testing.T) {
	for in, want := range map[float64]string{98: "98%", 13.54: "13.54%", 90.5: "90.5%", 100: "100%"} {
		if got := Limit(in); got != want {
			t.Errorf("Limit(%v) = %q, want %q", in, got, want)
		}
	}
}
