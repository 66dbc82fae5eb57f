package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/gate/gatetest"
)

// TestJapanese builds the backup action through FromConfig with lang =
// "ja" and runs it: the human words are Japanese, the command, paths and
// file names exactly as in English.
func TestJapanese(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "db-20250101-000000.sql.gz")
	for _, p := range []string{old, filepath.Join(dir, "db-20250102-000000.sql.gz")} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Lang = "ja"
	cfg.Backup = config.Backup{Dir: dir, Keep: 2, Dump: append(dumpArgv(s, "rt"), "notes"), Level: 6, MinFree: "1KiB"}
	b := FromConfig(cfg)
	ctx := context.Background()
	p, err := b.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := b.Action(p, nil)
	base := filepath.Base(p.Path)
	gatetest.Has(t, "preview", a.Preview,
		"mariadb-dump ", " rt notes", "  | pgzip -6 > "+p.Path+Partial,
		"ダンプが終了コード 0 で終わり、ファイルを検証できてから", "  "+base+" に名前を変更",
		dir+" の空き ", "。新しいバックアップを 2 個残します", "続けて削除: db-20250101-000000.sql.gz")
	res := gate.New(false, "").Do(ctx, a)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	if !strings.HasPrefix(res.Outcome.Summary, "バックアップ "+base+": ") || !strings.Contains(res.Outcome.Summary, "（ダンプ ") {
		t.Errorf("summary = %q", res.Outcome.Summary)
	}
	gatetest.Has(t, "details", res.Outcome.Details,
		p.Path+" を書き込みました: ", "書き込みながら検証（gzip ストリームは完全、ダンプの終端あり）", "古いバックアップを削除: "+old)
	if a.Name != "db.backup" || a.Target != base {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}
