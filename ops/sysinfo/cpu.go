package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// The CPU figures come from /proc/stat directly rather than gopsutil's cpu
// package: that package reads /proc/stat twice in its init, so every start
// of every subcommand (richsops tail included) paid for it.

// cpuTimes is the aggregate "cpu" line of /proc/stat, in clock ticks.
type cpuTimes struct {
	busy, total uint64
}

// procStat reads the aggregate CPU times and the number of online CPUs
// (the cpuN lines) from a /proc/stat text.
func procStat(text []byte) (cpuTimes, int, error) {
	var t cpuTimes
	found, cpus := false, 0
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("cpu")) {
			continue
		}
		f := bytes.Fields(line)
		if string(f[0]) != "cpu" {
			cpus++
			continue
		}
		// user nice system idle iowait irq softirq steal [guest guest_nice]:
		// guest time is already inside user and nice.
		if len(f) < 5 {
			return t, 0, fmt.Errorf("/proc/stat: short cpu line %q", line)
		}
		var v [8]uint64
		for i := 1; i < len(f) && i <= 8; i++ {
			n, err := strconv.ParseUint(string(f[i]), 10, 64)
			if err != nil {
				return t, 0, fmt.Errorf("/proc/stat: cpu field %d: %v", i, err)
			}
			v[i-1] = n
		}
		for _, n := range v {
			t.total += n
		}
		t.busy = t.total - v[3] - v[4] // not idle, not waiting for I/O
		found = true
	}
	if !found {
		return t, 0, fmt.Errorf("/proc/stat: no cpu line")
	}
	return t, cpus, sc.Err()
}

// percent is the busy share between two readings.
func (t cpuTimes) percent(prev cpuTimes) float64 {
	if t.total <= prev.total || t.busy < prev.busy {
		return 0
	}
	p := float64(t.busy-prev.busy) * 100 / float64(t.total-prev.total)
	return min(p, 100)
}

// lastCPU is the previous reading, so each sample reports the CPU use since
// the one before (the first: since boot).
var lastCPU struct {
	sync.Mutex
	t cpuTimes
}

// sampleCPU returns the CPU use since the previous call and the number of
// online CPUs.
func sampleCPU() (float64, int, error) {
	text, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	t, cpus, err := procStat(text)
	if err != nil {
		return 0, 0, err
	}
	lastCPU.Lock()
	defer lastCPU.Unlock()
	p := t.percent(lastCPU.t)
	lastCPU.t = t
	return p, cpus, nil
}
