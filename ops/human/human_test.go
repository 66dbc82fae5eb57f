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
		{now.Add(-time.Second), "1s ago", "1秒前"},
		{now.Add(-250 * time.Second), "4m10s ago", "4分前"},
		{now.Add(-(27*time.Minute + 8*time.Second)), "27m08s ago", "27分前"},
		{now.Add(250 * time.Second), "in 4m10s", "4分後"},
		{now.Add(6*time.Hour + 50*time.Minute), "in 6h50m", "6時間50分後"},
		{now.Add(9*time.Hour + 34*time.Minute), "in 9h34m", "9時間34分後"},
		{now.Add(-151 * time.Millisecond), "151ms ago", "151ミリ秒前"},
		{now, "0ms ago", "0ミリ秒前"},
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

func TestDurationT(t *testing.T) {
	en := func(en, _ string) string { return en }
	ja := func(_, ja string) string { return ja }
	for _, c := range []struct {
		d      time.Duration
		en, ja string
	}{
		{151 * time.Millisecond, "151ms", "151ミリ秒"},
		{12 * time.Second, "12s", "12秒"},
		{27*time.Minute + 8*time.Second, "27m08s", "27分"},
		{6*time.Hour + 50*time.Minute, "6h50m", "6時間50分"},
		{6 * time.Hour, "6h00m", "6時間"},
		{76 * time.Hour, "3d4h", "3日4時間"},
		{72 * time.Hour, "3d", "3日"},
		{-90 * time.Second, "1m30s", "1分"},
	} {
		if got := DurationT(en, c.d); got != c.en || got != Duration(c.d) {
			t.Errorf("DurationT(en, %v) = %q, want %q", c.d, got, c.en)
		}
		if got := DurationT(ja, c.d); got != c.ja {
			t.Errorf("DurationT(ja, %v) = %q, want %q", c.d, got, c.ja)
		}
	}
	if got := DurationT(nil, time.Second); got != "1s" {
		t.Errorf("DurationT(nil) = %q", got)
	}
}

func TestLimit(t *testing.T) {
	for in, want := range map[float64]string{98: "98%", 13.54: "13.54%", 90.5: "90.5%", 100: "100%"} {
		if got := Limit(in); got != want {
			t.Errorf("Limit(%v) = %q, want %q", in, got, want)
		}
	}
}
