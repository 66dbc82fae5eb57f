package attention

import "testing"

func TestSortWorstFirstStable(t *testing.T) {
	items := []Item{
		{Severity: Warn, Source: "public", Text: "tmp"},
		{Severity: Crit, Source: "services", Text: "index-linux down"},
		{Severity: OK, Source: "host", Text: "fine"},
		{Severity: Warn, Source: "host", Text: "load"},
		{Severity: Crit, Source: "amazon", Text: "blocked"},
	}
	Sort(items)
	want := []string{"blocked", "index-linux down", "load", "tmp", "fine"}
	for i, w := range want {
		if items[i].Text != w {
			t.Fatalf("order = %+v", items)
		}
	}
	if Worst(items) != Crit || Worst(nil) != OK {
		t.Fatal("Worst")
	}
	for _, c := range []struct {
		v, warn, crit float64
		want          int
	}{{50, 85, 95, OK}, {85, 85, 95, Warn}, {99, 85, 95, Crit}, {99, 0, 0, OK}, {99, 85, 0, Warn}} {
		if got := Level(c.v, c.warn, c.crit); got != c.want {
			t.Errorf("Level(%v, %v, %v) = %d, want %d", c.v, c.warn, c.crit, got, c.want)
		}
	}
}

func TestIdentity(t *testing.T) {
	for _, tc := range []struct {
		a, b Item
		same bool
	}{
		{Item{Source: "host", Text: "disk / 86% full"}, Item{Source: "host", Text: "disk / 91% full", Severity: Crit}, true},
		{Item{Source: "host", Text: "disk / 86% full"}, Item{Source: "host", Text: "disk /var 86% full"}, false},
		{Item{Source: "host", Text: "disk / 86% full"}, Item{Source: "db", Text: "disk / 86% full"}, false},
		{Item{Source: "jobs", Text: "check pid 123 running for 3h2m (max_runtime 2h)", Area: AreaJobs},
			Item{Source: "jobs", Text: "check pid 4567 running for 3h10m (max_runtime 2h)", Area: AreaJobs}, true},
		{Item{Source: "nginx", Text: "nginx 5xx 1.5% (last 15 min, 1,024 requests)"}, Item{Source: "nginx", Text: "nginx 5xx 12.25% (last 15 min, 98 requests)"}, true},
		{Item{Source: "db", Text: "MySQL does not answer: i/o timeout", ID: "down"}, Item{Source: "db", Text: "MySQL does not answer: connection refused", ID: "down"}, true},
		{Item{Source: "db", Text: "x", ID: "down"}, Item{Source: "db", Text: "x", ID: "error"}, false},
		{Item{Source: "jobs", Text: "a MISSED", Area: AreaJobs}, Item{Source: "jobs", Text: "a MISSED"}, false},
	} {
		if got := Identity(tc.a) == Identity(tc.b); got != tc.same {
			t.Errorf("Identity(%q) = %q, Identity(%q) = %q: same = %v, want %v", tc.a.Text, Identity(tc.a), tc.b.Text, Identity(tc.b), got, tc.same)
		}
	}
	if got := Identity(Item{Source: "host", Area: AreaOverview, Text: "disk / 86% full at 03:04:05"}); got != "host/overview: disk / #% full at #" {
		t.Errorf("Identity = %q", got)
	}
}
