package sysinfo

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/richs/richsops/ops/host"
)

// LoadMem reads the 1-minute load and the memory in use (percent, as
// Collect counts it: total less available) from /proc through h, so it is
// the same on this machine and over ssh.
func LoadMem(ctx context.Context, h host.Host) (load1, memPercent float64, err error) {
	la, err := h.ReadFile(ctx, "/proc/loadavg")
	if err != nil {
		return 0, 0, err
	}
	f := bytes.Fields(la)
	if len(f) == 0 {
		return 0, 0, fmt.Errorf("/proc/loadavg: empty")
	}
	if load1, err = strconv.ParseFloat(string(f[0]), 64); err != nil {
		return 0, 0, fmt.Errorf("/proc/loadavg: %w", err)
	}
	mi, err := h.ReadFile(ctx, "/proc/meminfo")
	if err != nil {
		return 0, 0, err
	}
	total, avail, err := parseMeminfo(mi)
	if err != nil {
		return 0, 0, err
	}
	return load1, float64(total-avail) * 100 / float64(total), nil
}

// parseMeminfo returns MemTotal and MemAvailable (kB) of /proc/meminfo.
func parseMeminfo(b []byte) (total, avail uint64, err error) {
	var seen int
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		f := bytes.Fields(line)
		if len(f) < 2 {
			continue
		}
		var dst *uint64
		switch string(f[0]) {
		case "MemTotal:":
			dst = &total
		case "MemAvailable:":
			dst = &avail
		default:
			continue
		}
		v, err := strconv.ParseUint(string(f[1]), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/meminfo: %s: %w", f[0], err)
		}
		*dst = v
		seen++
	}
	if seen < 2 || total == 0 || avail > total {
		return 0, 0, fmt.Errorf("/proc/meminfo: no MemTotal and MemAvailable")
	}
	return total, avail, nil
}
