package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
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

// TestRefusals provokes the backup's refusals and failures with lang = en
// and ja (through FromConfig, as the console and the CLI build it):
// English byte for byte as before, Japanese with the same paths, sizes,
// config keys and the dump's own stderr; the audit log in English.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	backupOf := func(t *testing.T, lang string, c config.Backup) *Backup {
		cfg := config.Default()
		cfg.Lang = lang
		c.Dir = t.TempDir()
		cfg.Backup = c
		return FromConfig(cfg)
	}
	plan := func(c config.Backup) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			_, err := backupOf(t, lang, c).Plan(ctx)
			return err
		}
	}
	// run plans and runs the backup through the gate.
	run := func(argv func(t *testing.T) []string, stall time.Duration) func(*testing.T, string) error {
		return func(t *testing.T, lang string) error {
			b := backupOf(t, lang, config.Backup{Dump: argv(t), MinFree: "1KiB"})
			b.Stall = stall
			p, err := b.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return gate.New(false, "").Do(ctx, b.Action(p, nil)).Err
		}
	}
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "no dump command", Err: plan(config.Backup{}),
			En: "no dump command configured ([backup] dump)", Ja: "ダンプコマンドが設定されていません（[backup] dump）"},
		{Name: "bad gzip level", Err: plan(config.Backup{Dump: []string{"true"}, Level: 12}),
			En: "gzip level 12: must be 1..9", Ja: "gzip レベル 12: 1〜9 にしてください"},
		{Name: "not enough free space", Err: plan(config.Backup{Dump: []string{"true"}, MinFree: "1000000TiB"}),
			En: "not enough free space in *: * free, 977 PiB needed (min_free 977 PiB, last backup 0 B)",
			Ja: "* の空きが足りません: 空き *、必要 977 PiB（min_free 977 PiB、前回のバックアップ 0 B）"},
		{Name: "dump fails", Err: run(func(t *testing.T) []string { return dumpArgv(needServer(t), "no_such_db") }, 0),
			En: "dump failed (exit 2), partial file removed:\n*no_such_db*",
			Ja: "ダンプに失敗しました（終了コード 2）。途中のファイルは削除しました:\n*no_such_db*"},
		{Name: "dump stalls", Err: run(func(*testing.T) []string { return []string{"sleep", "30"} }, 300*time.Millisecond),
			En: "dump failed: the dump wrote nothing for 300ms; partial file removed",
			Ja: "ダンプに失敗しました: ダンプが 300ms の間、何も書き込みませんでした。途中のファイルは削除しました"},
	})
}
