package public

import (
	"context"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/gate/gatetest"
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
	plan, err := PlanClean(context.Background(), h, tmp, 7*day, now)
	if err != nil {
		t.Fatal(err)
	}
	plan.T = (&config.Config{Lang: "ja"}).T
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{15, []string{tmp + " から 3 ファイル（60 B）を削除", "より前に更新されたもの（7d より古い）", "  " + tmp + "/old1.csv"}},
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
	if d := strings.Join(res.Outcome.Details, "\n"); d != "スキップ: "+tmp+"/changes.csv: 確認画面の後に変更されました" {
		t.Errorf("details %q", d)
	}
	if a.Name != "public.clean" || a.Target != tmp {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}
