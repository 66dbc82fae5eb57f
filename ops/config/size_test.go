package config

import "testing"

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1000000", 1000000, false},
		{"512MiB", 512 << 20, false},
		{" 1 GiB ", 1 << 30, false},
		{"1.5G", 1500000000, false},
		{"2T", 2000000000000, false},
		{"64B", 64, false},
		{"0", 0, false},
		{"12abc", 0, true},
		{"1GiBx", 0, true},
		{"-1M", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"", 0, true},
		{"99999999TiB", 0, true},
	} {
		got, err := ParseSize(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"512MiB", "1.5G", "12abc", "0x10", "1e3K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}
