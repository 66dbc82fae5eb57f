package public

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

var now = time.Now()

// mk writes a file of size bytes, modified age ago.
func mk(t *testing.T, path string, size int, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := now.Add(-age)
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

const day = 24 * time.Hour

func TestScanFolders(t *testing.T) {
	root := t.TempDir()
	mk(t, root+"/images/a.jpg", 100, time.Hour)
	mk(t, root+"/images/sub/b.jpg", 200, 3*day)
	mk(t, root+"/images/sub/c.jpg", 400, 30*day)
	mk(t, root+"/tmp/x.csv", 50, 10*day)
	outside := t.TempDir()
	mk(t, outside+"/huge.bin", 1<<20, time.Hour)
	if err := os.Symlink(outside, root+"/tmp/link"); err != nil {
		t.Fatal(err)
	}
	c := config.Public{Dir: root, Folders: []string{"images", "output", "tmp"}, TmpWarnGiB: 1}
	fs := Scan(context.Background(), host.NewLocal(), c, now)
	img, out, tmp := fs[0], fs[1], fs[2]
	if img.Files != 3 || img.Size != 700 || img.Added24h != 100 || img.Added7d != 300 || img.Err != "" {
		t.Fatalf("images = %+v", img)
	}
	if out.Err == "" {
		t.Fatalf("missing output folder gave no error")
	}
	if tmp.Files != 1 || tmp.Size != 50 { // the symlinked folder is not followed
		t.Fatalf("tmp = %+v", tmp)
	}
	items := Attention(fs, c, func(en, ja string) string { return en })
	if len(items) != 1 || !strings.Contains(items[0].Text, "output") {
		t.Fatalf("attention = %+v", items)
	}
}

func TestCleanRemovesOnlyWhatItPreviewed(t *testing.T) {
	root := t.TempDir()
	tmp := root + "/tmp"
	mk(t, tmp+"/old1.csv", 10, 10*day)
	mk(t, tmp+"/work/old2.jpg", 20, 9*day)
	mk(t, tmp+"/becomes-new.csv", 30, 8*day)
	mk(t, tmp+"/swapped/old3.jpg", 40, 8*day)
	mk(t, tmp+"/new.csv", 50, day)
	outside := root + "/keep"
	mk(t, outside+"/old3.jpg", 40, 8*day) // same name, where the symlink will point
	mk(t, outside+"/target.csv", 60, 30*day)
	if err := os.Symlink(outside+"/target.csv", tmp+"/link.csv"); err != nil {
		t.Fatal(err)
	}

	h := host.NewLocal()
	plan, err := PlanClean(context.Background(), h, tmp, 7*day, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range plan.Files {
		names = append(names, strings.TrimPrefix(f.Path, tmp+"/"))
	}
	if strings.Join(names, ",") != "becomes-new.csv,old1.csv,swapped/old3.jpg,work/old2.jpg" || plan.Bytes != 100 {
		t.Fatalf("plan = %v (%d bytes)", names, plan.Bytes)
	}
	if !strings.Contains(plan.Preview(10)[0], "remove 4 files") {
		t.Fatalf("preview = %v", plan.Preview(10))
	}

	// Between preview and confirmation: one file is written to again, one
	// folder is replaced by a symlink to a folder outside tmp, and a new old
	// file appears (it was not previewed, so it stays).
	mk(t, tmp+"/becomes-new.csv", 30, 0)
	if err := os.RemoveAll(tmp + "/swapped"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, tmp+"/swapped"); err != nil {
		t.Fatal(err)
	}
	mk(t, tmp+"/late-old.csv", 70, 20*day)

	audit := filepath.Join(root, "audit.jsonl")
	g := gate.New(false, audit)
	res := g.Do(context.Background(), plan.Action(h))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if !strings.HasPrefix(res.Outcome.Summary, "removed 2 files (30 B), skipped 2") {
		t.Fatalf("outcome = %+v", res.Outcome)
	}
	for path, want := range map[string]bool{
		tmp + "/old1.csv": false, tmp + "/work/old2.jpg": false,
		tmp + "/becomes-new.csv": true, outside + "/old3.jpg": true, outside + "/target.csv": true,
		tmp + "/link.csv": true, tmp + "/new.csv": true, tmp + "/late-old.csv": true, tmp + "/work": true,
	} {
		if exists(path) != want {
			t.Errorf("%s exists = %v, want %v", path, !want, want)
		}
	}
	recs, err := gate.ReadAudit(audit)
	if err != nil || len(recs) != 2 || recs[1].Action != "public.clean" || recs[1].Outcome != "ok" {
		t.Fatalf("audit = %+v %v", recs, err)
	}
}

func TestCleanRefusesSymlinkedTmp(t *testing.T) {
	root := t.TempDir()
	mk(t, root+"/elsewhere/old.csv", 1, 30*day)
	if err := os.Symlink(root+"/elsewhere", root+"/tmp"); err != nil {
		t.Fatal(err)
	}
	_, err := PlanClean(context.Background(), host.NewLocal(), root+"/tmp", 7*day, now, nil)
	if !errors.Is(err, ErrSymlinkDir) {
		t.Fatalf("err = %v", err)
	}
	if _, err := PlanClean(context.Background(), host.NewLocal(), root+"/elsewhere", 0, now, nil); err == nil {
		t.Fatal("a zero age was accepted")
	}
}

func TestCleanReadOnlyRemovesNothing(t *testing.T) {
	root := t.TempDir()
	mk(t, root+"/tmp/old.csv", 1, 30*day)
	plan, err := PlanClean(context.Background(), host.NewLocal(), root+"/tmp", 7*day, now, nil)
	if err != nil || len(plan.Files) != 1 {
		t.Fatal(plan, err)
	}
	res := gate.New(true, "").Do(context.Background(), plan.Action(host.NewLocal()))
	if !errors.Is(res.Err, gate.ErrReadOnly) || !exists(root+"/tmp/old.csv") {
		t.Fatalf("read-only: %v", res.Err)
	}
}
