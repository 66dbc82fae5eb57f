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
