// Package sysinfo samples the application server itself: load, CPU,
// memory, swap, uptime and boot time (a reboot explains a missed cron run),
// and each disk's usage. History keeps the last hour of samples in memory
// for the overview's sparklines.
//
// It reads the local machine through gopsutil (/proc and statfs, no
// commands), the CPU times and boot time from /proc/stat itself. LoadMem
// reads load and memory of any host through its Host (for richsops watch).
package sysinfo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v3/disk"
	"github.com/shirou/gopsutil/v3/load"
	"github.com/shirou/gopsutil/v3/mem"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/human"
)

// Disk is one mounted filesystem.
type Disk struct {
	Mount   string  `json:"mount"`
	Device  string  `json:"device"`
	FSType  string  `json:"fstype"`
	Total   uint64  `json:"total"`
	Used    uint64  `json:"used"`
	Free    uint64  `json:"free"`
	Percent float64 `json:"percent"` // as df's Use%
}

// Snapshot is one sample of the machine.
type Snapshot struct {
	Time        time.Time     `json:"time"`
	Load1       float64       `json:"load1"`
	Load5       float64       `json:"load5"`
	Load15      float64       `json:"load15"`
	CPUs        int           `json:"cpus"`
	CPUPercent  float64       `json:"cpu_percent"` // since the previous sample
	MemTotal    uint64        `json:"mem_total"`
	MemUsed     uint64        `json:"mem_used"`
	MemPercent  float64       `json:"mem_percent"`
	SwapTotal   uint64        `json:"swap_total"`
	SwapUsed    uint64        `json:"swap_used"`
	SwapPercent float64       `json:"swap_percent"`
	Uptime      time.Duration `json:"uptime_s"`
	Boot        time.Time     `json:"boot"`
	Disks       []Disk        `json:"disks"`
	// Errors lists the parts that could not be read; the rest is filled.
	Errors []string `json:"errors,omitempty"`
}

// pseudo filesystems that are not disks an operator can fill.
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "tmpfs": true, "devtmpfs": true, "devpts": true, "cgroup": true,
	"cgroup2": true, "mqueue": true, "securityfs": true, "debugfs": true, "tracefs": true,
	"pstore": true, "bpf": true, "autofs": true, "hugetlbfs": true, "configfs": true,
	"fusectl": true, "squashfs": true, "nsfs": true, "binfmt_misc": true, "ramfs": true,
	"rpc_pipefs": true, "efivarfs": true, "selinuxfs": true, "overlay": false,
}

// Collect samples the local machine. It fails only when nothing at all
// could be read.
func Collect(ctx context.Context, now time.Time) (Snapshot, error) {
	s := Snapshot{Time: now}
	fail := func(what string, err error) { s.Errors = append(s.Errors, what+": "+err.Error()) }
	read := 0 // parts read: cpu, memory, swap, load, disks
	if a, err := load.AvgWithContext(ctx); err == nil {
		s.Load1, s.Load5, s.Load15 = a.Load1, a.Load5, a.Load15
		read++
	} else {
		fail("load", err)
	}
	if p, info, err := sampleCPU(); err == nil {
		s.CPUPercent, s.CPUs = p, info.cpus
		read++
		if info.boot > 0 {
			s.Boot = time.Unix(info.boot, 0)
			s.Uptime = now.Sub(s.Boot).Truncate(time.Second)
		} else {
			fail("boot time", errors.New("/proc/stat has no btime"))
		}
	} else {
		fail("cpu", err)
	}
	if v, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		s.MemTotal, s.MemUsed, s.MemPercent = v.Total, v.Total-v.Available, v.UsedPercent
		read++
		if v.Total > 0 {
			s.MemPercent = float64(v.Total-v.Available) * 100 / float64(v.Total)
		}
	} else {
		fail("memory", err)
	}
	if sw, err := mem.SwapMemoryWithContext(ctx); err == nil {
		s.SwapTotal, s.SwapUsed, s.SwapPercent = sw.Total, sw.Used, sw.UsedPercent
		read++
	} else {
		fail("swap", err)
	}
	disks, err := Disks(ctx)
	if err != nil {
		fail("disks", err)
	} else {
		read++
	}
	s.Disks = disks
	if read == 0 { // a missing btime alone does not make the CPU figures unread
		return s, fmt.Errorf("sysinfo: nothing could be read: %s", strings.Join(s.Errors, "; "))
	}
	return s, nil
}

// Disks lists each real mounted filesystem once (bind mounts of the same
// device are shown at their shortest mount point).
func Disks(ctx context.Context) ([]Disk, error) {
	parts, err := disk.PartitionsWithContext(ctx, true)
	if err != nil {
		return nil, err
	}
	byDevice := map[string]Disk{}
	for _, p := range parts {
		if pseudoFS[p.Fstype] || strings.HasPrefix(p.Mountpoint, "/proc") || strings.HasPrefix(p.Mountpoint, "/sys") ||
			strings.HasPrefix(p.Mountpoint, "/dev") || strings.HasPrefix(p.Mountpoint, "/run") {
			continue
		}
		u, err := disk.UsageWithContext(ctx, p.Mountpoint)
		if err != nil || u.Total == 0 {
			continue
		}
		d := Disk{Mount: p.Mountpoint, Device: p.Device, FSType: p.Fstype, Total: u.Total, Used: u.Used, Free: u.Free}
		if u.Used+u.Free > 0 {
			d.Percent = float64(u.Used) * 100 / float64(u.Used+u.Free)
		}
		key := p.Device + "\x00" + fmt.Sprint(u.Total)
		if old, ok := byDevice[key]; !ok || len(d.Mount) < len(old.Mount) {
			byDevice[key] = d
		}
	}
	out := make([]Disk, 0, len(byDevice))
	for _, d := range byDevice {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mount < out[j].Mount })
	return out, nil
}

// RecentBoot is how soon after a boot the overview mentions it: cron runs
// due while the box was down were skipped.
const RecentBoot = 12 * time.Hour

// Attention is what the sample says needs looking at.
func (s Snapshot) Attention(th config.Thresholds, t func(en, ja string) string) []attention.Item {
	var out []attention.Item
	for _, d := range s.Disks {
		if sev := attention.Level(d.Percent, th.DiskWarnPercent, th.DiskCritPercent); sev > attention.OK {
			out = append(out, attention.Item{Severity: sev, Source: "host",
				Text: fmt.Sprintf(t("disk %s %.0f%% full (%s free)", "ディスク %s 使用率 %.0f%%（空き %s）"), d.Mount, d.Percent, human.Bytes(int64(d.Free)))})
		}
	}
	if s.CPUs > 0 && th.LoadPerCPU > 0 && s.Load5/float64(s.CPUs) >= th.LoadPerCPU {
		out = append(out, attention.Item{Severity: attention.Warn, Source: "host",
			Text: fmt.Sprintf(t("load %.2f on %d CPUs", "負荷 %.2f（CPU %d 個）"), s.Load5, s.CPUs)})
	}
	if th.MemoryPercent > 0 && s.MemPercent >= th.MemoryPercent {
		out = append(out, attention.Item{Severity: attention.Warn, Source: "host",
			Text: fmt.Sprintf(t("memory %.0f%% used", "メモリ使用率 %.0f%%"), s.MemPercent)})
	}
	if !s.Boot.IsZero() && s.Uptime > 0 && s.Uptime < RecentBoot {
		out = append(out, attention.Item{Severity: attention.Warn, Source: "host", Key: "2", Area: attention.AreaJobs,
			Text: fmt.Sprintf(t("rebooted %s ago: check the jobs for missed cron runs", "%s前に再起動: cron の実行漏れをジョブで確認"), human.DurationT(t, s.Uptime))})
	}
	return out
}

// Point is one value of a series.
type Point struct {
	T time.Time
	V float64
}

// History keeps each series' points of the last Window. It is not safe for
// concurrent use: the overview owns it and adds samples in Update.
type History struct {
	Window time.Duration
	series map[string][]Point
}

// NewHistory keeps window of samples (an hour for the overview).
func NewHistory(window time.Duration) *History {
	return &History{Window: window, series: map[string][]Point{}}
}

// Series keys of a snapshot.
const (
	KeyLoad = "load1"
	KeyCPU  = "cpu"
	KeyMem  = "mem"
	KeySwap = "swap"
)

// DiskKey is the series key of a disk's used percent.
func DiskKey(mount string) string { return "disk:" + mount }

// Add records s and forgets points older than the window.
func (h *History) Add(s Snapshot) {
	h.Put(KeyLoad, s.Time, s.Load1)
	h.Put(KeyCPU, s.Time, s.CPUPercent)
	h.Put(KeyMem, s.Time, s.MemPercent)
	h.Put(KeySwap, s.Time, s.SwapPercent)
	for _, d := range s.Disks {
		h.Put(DiskKey(d.Mount), s.Time, d.Percent)
	}
}

// Put adds one point to a series.
func (h *History) Put(key string, t time.Time, v float64) {
	pts := append(h.series[key], Point{T: t, V: v})
	cut := 0
	for cut < len(pts) && t.Sub(pts[cut].T) > h.Window {
		cut++
	}
	h.series[key] = pts[cut:]
}

// Values are a series' values, oldest first.
func (h *History) Values(key string) []float64 {
	pts := h.series[key]
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = p.V
	}
	return out
}
