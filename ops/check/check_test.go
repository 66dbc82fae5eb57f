package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

func TestWorstAndExitCode(t *testing.T) {
	it := func(sevs ...int) []attention.Item {
		var out []attention.Item
		for _, s := range sevs {
			out = append(out, attention.Item{Severity: s})
		}
		return out
	}
	cases := []struct {
		items []attention.Item
		want  int
		code  int
		name  string
	}{
		{nil, attention.OK, 0, "OK"},
		{it(attention.Warn, attention.OK), attention.Warn, 1, "WARN"},
		{it(attention.Warn, Unknown), Unknown, 3, "UNKNOWN"},
		{it(Unknown, attention.Crit, attention.Warn), attention.Crit, 2, "CRIT"},
	}
	for _, c := range cases {
		w := Worst(c.items)
		if w != c.want || ExitCode(w) != c.code || SeverityName(w) != c.name {
			t.Errorf("%v: worst %d exit %d %s", c.items, w, ExitCode(w), SeverityName(w))
		}
	}
}

func TestSelect(t *testing.T) {
	all, err := Select(nil, nil)
	if err != nil || len(all) != len(Names()) || len(all) < 4 {
		t.Fatalf("%v %v", all, err)
	}
	two, err := Select([]string{SrcProbes, SrcJobs, SrcProbes}, nil)
	if err != nil || len(two) != 2 || two[0].Name != SrcProbes || two[1].Name != SrcJobs {
		t.Fatalf("%v %v", two, err)
	}
	if _, err := Select([]string{"nope"}, nil); err == nil || !strings.Contains(err.Error(), "known: ") {
		t.Fatalf("%v", err)
	}
}

// TestRunBounds: a collector that overruns its timeout or panics reports
// Unknown; the others are not held up; items get their source's name.
func TestRunBounds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cs := []Collector{
		{Name: "hangs", Timeout: 200 * time.Millisecond, Run: func(ctx context.Context, _ *config.Config, _ *host.Registry) attention.Report {
			<-release // ignores ctx, as a buggy collector would
			return attention.Report{}
		}},
		{Name: "panics", Run: func(context.Context, *config.Config, *host.Registry) attention.Report { panic("boom") }},
		{Name: "fine", Run: func(context.Context, *config.Config, *host.Registry) attention.Report {
			return attention.Report{Items: []attention.Item{{Severity: attention.Warn, Text: "w"}, {Severity: attention.Crit, Text: "c"}}}
		}},
	}
	cfg := config.Default()
	res := Run(context.Background(), cfg, host.NewRegistry(cfg), cs)
	if len(res) != 3 {
		t.Fatal(res)
	}
	if r := res[0]; r.Source != "hangs" || r.Worst() != Unknown || !strings.Contains(r.Items[0].Text, "no answer within") {
		t.Errorf("hangs: %+v", r)
	}
	if r := res[1]; r.Source != "panics" || r.Worst() != Unknown || !strings.Contains(r.Items[0].Text, "boom") {
		t.Errorf("panics: %+v", r)
	}
	if r := res[2]; r.Worst() != attention.Crit || r.Items[0].Text != "c" || r.Items[1].Source != "fine" {
		t.Errorf("fine: %+v", r)
	}
	ov := ForOverview(res[0].Report, func(en, _ string) string { return en })
	if ov.Items[0].Severity != attention.Warn || !strings.HasPrefix(ov.Items[0].Text, "check failed: ") || res[0].Items[0].Severity != Unknown {
		t.Errorf("for overview: %+v (original %+v)", ov, res[0])
	}
}
