package jobs

import (
	"strings"
	"testing"

	"github.com/richs/richsops/ops/gate"
)

// TestDescribeBraked: a braked job says why, and index-linux healthy is no
// reason to resume it (the brake trips while it answers, wrongly).
func TestDescribeBraked(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name     string
		p        Pause
		has, not []string
	}{
		{"braked, index-linux healthy", Pause{By: gate.ActorBrake, Why: "braked: 412 withdrawn in the last minute", GuardOK: &yes},
			[]string{"braked by richsops watch: braked: 412 withdrawn"}, []string{"resume it"}},
		{"braked, index-linux down", Pause{By: gate.ActorBrake, Why: "braked: x", GuardOK: &no, GuardReason: "503"},
			[]string{"braked by richsops watch", "still unhealthy (503)"}, nil},
		{"guard, healthy again", Pause{By: ByGuard, Why: "ignored", GuardOK: &yes},
			[]string{"paused by guard; index-linux is healthy now: resume it"}, []string{"ignored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.p.Describe(nil)
			for _, w := range tc.has {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("%q has %q", got, w)
				}
			}
		})
	}
}
