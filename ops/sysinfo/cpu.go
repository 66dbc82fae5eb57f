package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// The CPU figures and the boot time come from /proc/stat directly rather
// than gopsutil's cpu and host packages: cpu reads /proc/stat twice in its
// init and host compiles a regexp in its own, so every start of every
// subcommand (richsops tail included) paid for both.

// cpuTimes is the aggregate "cpu" line of /proc/stat, in clock ticks.
type cpuTimes struct {
	busy, total uint64
}

// procStatInfo is what Collect takes from /proc/stat.
type procStatInfo struct {
	cpu  cpuTimes
	cpus int   // online CPUs (the cpuN lines)
	boot int64 // btime: boot time, Unix seconds (0 if missing)
}

// procStat reads the aggregate CPU times, the number of online CPUs and
// the boot time from a /proc/stat text.
func procStat(text []byte) (procStatInfo, error) {
	var info procStatInfo
	t, found, cpus := &info.cpu, false, 0
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			if b, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64); err == nil && b > 0 {
				info.boot = b
			}
			continue
		}
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
			return info, fmt.Errorf("/proc/stat: short cpu line %q", line)
		}
		var v [8]uint64
		for i := 1; i < len(f) && i <= 8; i++ {
			n, err := strconv.ParseUint(string(f[i]), 10, 64)
			if err != nil {
				return info, fmt.Errorf("/proc/stat: cpu field %d: %v", i, err)
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
		return info, fmt.Errorf("/proc/stat: no cpu line")
	}
	info.cpus = cpus
	return info, sc.Err()
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

// sampleCPU reads /proc/stat: the CPU use since the previous call, the
// number of online CPUs and the boot time.
func sampleCPU() (percent float64, info procStatInfo, err error) {
	text, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, info, err
	}
	if info, err = procStat(text); err != nil {
		return 0, info, err
	}
	lastCPU.Lock()
	defer lastCPU.Unlock()
	percent = info.cpu.percent(lastCPU.t)
	lastCPU.t = info.cpu
	return percent, info, nil
}
