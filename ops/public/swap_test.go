package public

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/host/swaptest"
)

// stressSwaps is how many swaps TestCleanUnderSymlinkSwaps makes:
// RICHSOPS_STRESS_SWAPS, or a count short enough for every test run.
func stressSwaps(t *testing.T) int64 {
	if s := os.Getenv("RICHSOPS_STRESS_SWAPS"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			t.Fatalf("RICHSOPS_STRESS_SWAPS=%q", s)
		}
		return n
	}
	return 400
}

// Clean-ups run while a sub-folder of tmp is exchanged with a symbolic link
// to an outside folder (renameat2 RENAME_EXCHANGE in a loop). The outside
// folder holds old files of the same names, sizes and times, so only the
// walk itself can tell them apart: not one of them may ever be removed.
func TestCleanUnderSymlinkSwaps(t *testing.T) {
	const files = 20
	want := stressSwaps(t)
	root := t.TempDir()
	tmp, outside := filepath.Join(root, "tmp"), filepath.Join(root, "outside")
	old := now.Add(-30 * day).Truncate(time.Second)
	put := func(dir string) {
		for i := 0; i < files; i++ {
			p := filepath.Join(dir, "f"+strconv.Itoa(i)+".csv")
			if exists(p) {
				continue
			}
			if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, d := range []string{filepath.Join(tmp, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	put(outside)
	link := swaptest.Link(t, tmp, "sub", outside)
	h := host.NewLocal()
	g := gate.New(false, "")
	var swaps, cleanups, inside int64
	for swaps < want {
		put(filepath.Join(tmp, "sub"))
		sw := swaptest.Start(filepath.Join(tmp, "sub"), link, min(want-swaps, 50))
		for !sw.Done() {
			cleanups++
			plan, err := PlanClean(context.Background(), h, tmp, 7*day, now, nil)
			if err == nil {
				res := g.Do(context.Background(), plan.Action(h))
				if res.Err != nil {
					t.Fatal(res.Err)
				}
			}
		}
		n, err := sw.Stop()
		if err != nil {
			t.Fatal(err)
		}
		swaps += n
		ents, err := os.ReadDir(outside)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != files {
			t.Fatalf("after %d swaps and %d clean-ups: %d of the %d files outside tmp were removed", swaps, cleanups, files-len(ents), files)
		}
		left, _ := os.ReadDir(filepath.Join(tmp, "sub"))
		inside += int64(files - len(left))
	}
	if inside == 0 {
		t.Fatal("no file inside tmp was ever removed: the clean-ups did not run")
	}
	t.Logf("%d swaps during %d clean-ups: %d files inside tmp removed, 0 outside", swaps, cleanups, inside)
}
