package history

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// One metric of one host since a time: only its samples, the hourly
// aggregates before them included, oldest first; SampleHosts lists the
// hosts of a metric from both tables, each once.
func TestSamplesOfOneHost(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "history.db"), Options{})
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var ss []Sample
	for i := 0; i < 20*24; i++ { // 20 days hourly: the first 6 get folded
		at := now.Add(time.Duration(i-20*24) * time.Hour)
		for _, h := range []string{"db1", "local", "web2"} {
			ss = append(ss, Sample{Metric: MetricFreeDatadir, Host: h, Time: at, Value: float64(i)})
		}
		ss = append(ss, Sample{Metric: MetricFreeRoot, Host: "local", Time: at, Value: -1})
	}
	// A host whose samples are all past the full-rate retention.
	ss = append(ss, Sample{Metric: MetricFreeDatadir, Host: "old", Time: now.Add(-19 * 24 * time.Hour), Value: 1})
	if err := s.AddSamples(ctx, ss); err != nil {
		t.Fatal(err)
	}
	if err := s.Prune(ctx, now, DefaultRetention); err != nil {
		t.Fatal(err)
	}
	hosts, err := s.SampleHosts(ctx, MetricFreeDatadir)
	if err != nil || !slices.Equal(hosts, []string{"db1", "local", "old", "web2"}) {
		t.Fatalf("hosts %v %v", hosts, err)
	}
	if hosts, _ := s.SampleHosts(ctx, MetricLoad1); len(hosts) != 0 {
		t.Errorf("hosts of a metric without samples: %v", hosts)
	}
	got, err := s.Samples(ctx, SamplesQuery{Metric: MetricFreeDatadir, Host: "local", Since: now.Add(-18 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 18*24 {
		t.Fatalf("%d samples, want %d", len(got), 18*24)
	}
	for i, x := range got {
		if x.Host != "local" || x.Metric != MetricFreeDatadir || (i > 0 && !x.Time.After(got[i-1].Time)) {
			t.Fatalf("sample %d: %+v", i, x)
		}
	}
}
