package sysinfo

import (
	"context"
	"testing"

	"github.com/richs/richsops/ops/host"
)

func TestParseMeminfo(t *testing.T) {
	for _, tc := range []struct {
		in           string
		total, avail uint64
		ok           bool
	}{
		{"MemTotal:       16000 kB\nMemFree: 1 kB\nMemAvailable:    4000 kB\n", 16000, 4000, true},
		{"MemAvailable: 4000 kB\nMemTotal: 16000 kB\n", 16000, 4000, true},
		{"MemTotal: 16000 kB\n", 0, 0, false}, // an old kernel's, no MemAvailable
		{"MemTotal: 0 kB\nMemAvailable: 0 kB\n", 0, 0, false},
		{"MemTotal: 10 kB\nMemAvailable: 20 kB\n", 0, 0, false},
		{"MemTotal: x kB\nMemAvailable: 1 kB\n", 0, 0, false},
		{"", 0, 0, false},
	} {
		total, avail, err := parseMeminfo([]byte(tc.in))
		if (err == nil) != tc.ok || total != tc.total || avail != tc.avail {
			t.Errorf("%q: %d %d %v", tc.in, total, avail, err)
		}
	}
}

func FuzzParseMeminfo(f *testing.F) {
	f.Add([]byte("MemTotal: 16000 kB\nMemAvailable: 4000 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		total, avail, err := parseMeminfo(b)
		if err == nil && (total == 0 || avail > total) {
			t.Fatalf("%d %d accepted", total, avail)
		}
	})
}

// LoadMem through the Host reads this machine's /proc as gopsutil does.
func TestLoadMemLocal(t *testing.T) {
	load1, mem, err := LoadMem(context.Background(), host.NewLocal())
	if err != nil || load1 < 0 || mem <= 0 || mem > 100 {
		t.Fatalf("load %v mem %v: %v", load1, mem, err)
	}
}
