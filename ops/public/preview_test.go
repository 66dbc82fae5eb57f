package public

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/host"
)

// TestActionPreviewListsEveryFile: the confirm dialog scrolls, so the
// clean-up's preview names every file it will remove, not the first few.
func TestActionPreviewListsEveryFile(t *testing.T) {
	tmp := t.TempDir()
	for i := 0; i < 40; i++ {
		mk(t, fmt.Sprintf("%s/upload-%02d.csv", tmp, i), 1, 30*day)
	}
	h := host.NewLocal()
	plan, err := PlanClean(context.Background(), h, tmp, 7*day, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	preview := strings.Join(plan.Action(h).Preview, "\n")
	for i := 0; i < 40; i++ {
		if name := fmt.Sprintf("upload-%02d.csv", i); !strings.Contains(preview, name) {
			t.Errorf("the preview does not name %s:\n%s", name, preview)
		}
	}
}
