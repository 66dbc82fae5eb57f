package sysinfo

import (
	"strings"
	"testing"
	"time"
)

const procStatSample = `cpu  6094 10 2704 18092 396 0 64 5 0 0
cpu0 3000 5 1300 9000 200 0 30 2 0 0
cpu1 3094 5 1404 9092 196 0 34 3 0 0
intr 1234 0 0
ctxt 98765
btime 1764212345
processes 4321
`

func TestProcStat(t *testing.T) {
	for _, tc := range []struct {
		name, text  string
		busy, total uint64
		cpus        int
		boot        int64
		err         string
	}{
		{"two CPUs", procStatSample, 6094 + 10 + 2704 + 64 + 5, 6094 + 10 + 2704 + 18092 + 396 + 64 + 5, 2, 1764212345, ""},
		{"old kernel, four fields, no btime", "cpu 1 2 3 4\ncpu0 1 2 3 4\n", 6, 10, 1, 0, ""},
		{"bad btime is left out", "cpu 1 2 3 4\nbtime x\n", 6, 10, 0, 0, ""},
		{"no cpu line", "intr 1\n", 0, 0, 0, 0, "no cpu line"},
		{"short line", "cpu 1 2\n", 0, 0, 0, 0, "short cpu line"},
		{"not a number", "cpu 1 2 x 4 5\n", 0, 0, 0, 0, "cpu field 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := procStat([]byte(tc.text))
			got, cpus := info.cpu, info.cpus
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.busy != tc.busy || got.total != tc.total || cpus != tc.cpus || info.boot != tc.boot {
				t.Fatalf("got %+v err %v, want busy %d total %d, %d CPUs, boot %d", info, err, tc.busy, tc.total, tc.cpus, tc.boot)
			}
		})
	}
}

func TestCPUPercent(t *testing.T) {
	prev := cpuTimes{busy: 100, total: 1000}
	for _, tc := range []struct {
		now  cpuTimes
		want float64
	}{
		{cpuTimes{busy: 150, total: 1100}, 50},
		{cpuTimes{busy: 100, total: 1100}, 0},
		{cpuTimes{busy: 200, total: 1100}, 100},
		{cpuTimes{busy: 100, total: 1000}, 0}, // no time passed
		{cpuTimes{busy: 50, total: 500}, 0},   // counters went back: not negative
	} {
		if got := tc.now.percent(prev); got != tc.want {
			t.Errorf("%+v since %+v = %v, want %v", tc.now, prev, got, tc.want)
		}
	}
}

func TestSampleCPUReadsThisMachine(t *testing.T) {
	if _, _, err := sampleCPU(); err != nil {
		t.Fatal(err)
	}
	p, info, err := sampleCPU()
	if err != nil || info.cpus < 1 || p < 0 || p > 100 || info.boot <= 0 || info.boot > time.Now().Unix() {
		t.Fatalf("sampleCPU = %v%%, %+v, %v", p, info, err)
	}
}

func FuzzProcStat(f *testing.F) {
	f.Add([]byte(procStatSample))
	f.Add([]byte("cpu 1 2 3 4 5 6 7 8 9 10 11 12\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := procStat(b)
		if err == nil && (info.cpu.busy > info.cpu.total || info.cpus < 0 || info.boot < 0) {
			t.Fatalf("procStat(%q) = %+v", b, info)
		}
	})
}
