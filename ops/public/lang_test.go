package public

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// TestJapanese: a plan given a Config's T with lang = "ja" previews and
// reports in Japanese; paths, sizes and dates stay as they are.
func TestJapanese(t *testing.T) {
	tmp := t.TempDir() + "/tmp"
	mk(t, tmp+"/old1.csv", 10, 10*day)
	mk(t, tmp+"/old2.csv", 20, 9*day)
	mk(t, tmp+"/changes.csv", 30, 8*day)
	h := host.NewLocal()
	plan, err := PlanClean(context.Background(), h, tmp, 7*day, now, (&config.Config{Lang: "ja"}).T)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{15, []string{tmp + " から 3 ファイル（60 B）を削除", "より前に更新されたもの（7日より古い）", "  " + tmp + "/old1.csv"}},
		{1, []string{"… ほか 2 件"}},
	} {
		gatetest.Has(t, "preview", plan.Preview(tc.max), tc.want...)
	}
	mk(t, tmp+"/changes.csv", 30, 0)
	a := plan.Action(h)
	res := gate.New(false, "").Do(context.Background(), a)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if want := "2 ファイル（30 B）を削除しました、1 件スキップ"; res.Outcome.Summary != want {
		t.Errorf("summary %q, want %q", res.Outcome.Summary, want)
	}
	if d := strings.Join(res.Outcome.Details, "\n"); d != "スキップ: "+tmp+"/changes.csv: 確認画面の後に変更・置換・削除されました" {
		t.Errorf("details %q", d)
	}
	if a.Name != "public.clean" || a.Target != tmp {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}

// TestRefusals provokes the clean-up's refusals with lang = en and ja:
// English byte for byte as before, Japanese with the same paths and ages;
// ErrSymlinkDir keeps its identity.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	h := host.NewLocal()
	plan := func(dir func(t *testing.T) string, age time.Duration) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			_, err := PlanClean(ctx, h, dir(t), age, now, (&config.Config{Lang: lang}).T)
			return err
		}
	}
	// tmp is a temp folder's tmp, made by mkTmp.
	tmp := func(mkTmp func(t *testing.T, tmp string)) func(t *testing.T) string {
		return func(t *testing.T) string {
			p := t.TempDir() + "/tmp"
			mkTmp(t, p)
			return p
		}
	}
	symlink := tmp(func(t *testing.T, p string) {
		mk(t, filepath.Dir(p)+"/elsewhere/old.csv", 1, 30*day)
		must(t, os.Symlink(filepath.Dir(p)+"/elsewhere", p))
	})
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "zero age", Err: plan(tmp(func(t *testing.T, p string) { must(t, os.Mkdir(p, 0o755)) }), 0),
			En: "the age must be positive, not 0s", Ja: "経過時間は正の値にしてください（0s ではなく）"},
		{Name: "relative folder", Err: plan(func(*testing.T) string { return "tmp" }, day),
			En: "tmp: not an absolute path", Ja: "tmp: 絶対パスではありません"},
		{Name: "tmp is a link", Err: plan(symlink, day),
			En: "*/tmp is a symbolic link; refusing to clean up through it", Ja: "*/tmp はシンボリックリンクです: たどって削除はしません", Is: ErrSymlinkDir},
		{Name: "tmp is a file", Err: plan(tmp(func(t *testing.T, p string) { mk(t, p, 1, 0) }), day),
			En: "*/tmp: not a folder", Ja: "*/tmp: フォルダではありません"},
		{Name: "a folder became a link", Err: func(t *testing.T, lang string) error {
			p := tmp(func(t *testing.T, p string) { mk(t, p+"/sub/old.csv", 1, 30*day) })(t)
			pl, err := PlanClean(ctx, h, p, day, now, (&config.Config{Lang: lang}).T)
			must(t, err)
			must(t, os.Rename(p+"/sub", p+"/moved"))
			must(t, os.Symlink(p+"/moved", p+"/sub"))
			res := gate.New(false, "").Do(ctx, pl.Action(h))
			return errors.New(strings.Join(res.Outcome.Details, "\n"))
		}, En: "skipped */tmp/sub/old.csv: a folder on the way is a symbolic link or no longer a folder; not followed",
			Ja: "スキップ: */tmp/sub/old.csv: 途中のフォルダがシンボリックリンクか、フォルダではなくなりました: たどりません"},
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
