package sysinfo

import (
	"context"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
)

func TestCollectSmoke(t *testing.T) {
	s, err := Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.CPUs < 1 || s.MemTotal == 0 || s.Uptime <= 0 || s.Boot.IsZero() || s.Boot.After(time.Now()) {
		t.Fatalf("implausible sample: %+v", s)
	}
	if len(s.Disks) == 0 {
		t.Fatalf("no disks (errors: %v)", s.Errors)
	}
	for _, d := range s.Disks {
		if d.Percent < 0 || d.Percent > 100 || d.Total == 0 {
			t.Errorf("disk %+v", d)
		}
	}
	en := func(en, ja string) string { return en }
	_ = s.Attention(config.Default().Thresholds, en)
}

func TestAttentionThresholds(t *testing.T) {
	th := config.Default().Thresholds // disk 85/95, load 2 per CPU, memory 90
	s := Snapshot{CPUs: 2, Load5: 4.5, MemPercent: 50, Uptime: time.Hour, Boot: time.Now().Add(-time.Hour),
		Disks: []Disk{{Mount: "/", Percent: 96}, {Mount: "/var", Percent: 86}, {Mount: "/home", Percent: 10}}}
	items := s.Attention(th, func(en, ja string) string { return en })
	if len(items) != 4 || items[0].Severity != 2 || items[1].Severity != 1 {
		t.Fatalf("items = %+v", items)
	}
}

func TestHistoryKeepsTheWindow(t *testing.T) {
	h := NewHistory(time.Hour)
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		h.Add(Snapshot{Time: t0.Add(time.Duration(i) * time.Minute), Load1: float64(i)})
	}
	v := h.Values(KeyLoad)
	if len(v) != 61 || v[0] != 39 || v[60] != 99 {
		t.Fatalf("len %d first %v", len(v), v[0])
	}
}
