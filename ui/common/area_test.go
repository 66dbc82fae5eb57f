package common

import (
	"testing"

	"github.com/richs/richsops/ops/attention"
)

// The UI maps the domain an Item names to its own tab indexes.
func TestTabOf(t *testing.T) {
	for a, want := range map[attention.Area]int{
		"": TabOverview, attention.AreaOverview: TabOverview, attention.AreaJobs: TabJobs, attention.AreaLogs: TabLogs,
		attention.AreaDatabase: TabDatabase, attention.AreaServices: TabServices, "nowhere": TabOverview,
	} {
		if got := TabOf(a); got != want {
			t.Errorf("TabOf(%q) = %d, want %d", a, got, want)
		}
	}
}
