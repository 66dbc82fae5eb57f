package mysql

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// TestJapanese builds each database action with lang = "ja" (through
// FromConfig, as the CLI and the UI do): the human words are Japanese, the
// SQL, paths and commands exactly as in English.
func TestJapanese(t *testing.T) {
	s := needServer(t)
	makeLogs(t, s, 3)
	ctx := context.Background()
	cnf := filepath.Join(t.TempDir(), "my.cnf")
	must(t, os.WriteFile(cnf, []byte("[mysqld]\ndatadir=/var/lib/mysql\n"), 0o644))
	cfg := config.Default()
	cfg.Lang = "ja"
	cfg.Database.DSN = "root@unix(" + s.Socket + ")/"
	cfg.Database.Datadir = s.Datadir
	cfg.Database.MyCnf = cnf
	cfg.Database.Host = "local"
	d, err := FromConfig(cfg, host.NewRegistry(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	plan, err := d.PlanPurgeTo(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ep := EmergencyPlan{Index: "/var/lib/mysql/mysql-bin.index", Entries: []string{"mysql-bin.000101", "mysql-bin.000102"},
		Oldest: "mysql-bin.000101", File: "/var/lib/mysql/mysql-bin.000101", Size: 1 << 30,
		Restart: []string{"systemctl", "restart", "mysqld"}, Disk: host.DiskUsage{Total: 100 << 30, Used: 99 << 30, Free: 1 << 30},
		Why: "no answer within 2s"}
	for _, tc := range []struct {
		name  string
		build func() (gate.Action, error)
		want  []string
	}{
		{"expiry", func() (gate.Action, error) { return d.SetExpiry(ctx, 1) }, []string{
			"SET GLOBAL ", cnf + `:3: [mysqld] に "expire_logs_days = 1" を追加`, cnf + ": 一時ファイル経由で置換、バックアップあり",
		}},
		{"flush", func() (gate.Action, error) { return d.Flush(), nil }, []string{
			"FLUSH BINARY LOGS", "新しいバイナリログを始めます。保存期間より古いログはサーバーが削除します",
		}},
		{"purge", func() (gate.Action, error) { return d.Purge(plan), nil }, []string{
			plan.SQL, "ファイル、", "を空けます（現在のログは削除しません）:", "  " + plan.Removes[0].Name + "  ",
		}},
		{"emergency", func() (gate.Action, error) { return d.Emergency(ep), nil }, []string{
			s.Datadir + " のディスク使用率 99.0%（空き 1.0 GiB）。サーバーは処理できません（SHOW BINARY LOGS: no answer within 2s）",
			"1. /var/lib/mysql/mysql-bin.000101（1.0 GiB）を削除: インデックスにある 2 個のログで最も古いもの",
			"2. /var/lib/mysql/mysql-bin.index を mysql-bin.000101 なしで書き直す",
			"3. systemctl restart mysqld を実行（タイムアウトしたらもう一度）",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { gatetest.PreviewHas(t, tc.build, tc.want...) })
	}

	// The outcome of the purge; the audit record keeps its identifiers.
	a := d.Purge(plan)
	res := run(t, a)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	if !strings.HasPrefix(res.Outcome.Summary, "バイナリログ ") || !strings.Contains(res.Outcome.Summary, " 個を削除しました（") {
		t.Errorf("summary = %q", res.Outcome.Summary)
	}
	gatetest.Has(t, "details", res.Outcome.Details, plan.SQL+": ok", "を削除しました:")
	if a.Name != "db.purge" || a.Target != plan.To {
		t.Errorf("audit identifiers changed: %s %s", a.Name, a.Target)
	}
}

// TestRefusals provokes the database refusals with lang = en and ja: the
// English text byte for byte as before, the Japanese one with the same
// names, numbers, SQL words and config keys, errors.Is unchanged, and the
// audit log in English.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	// fileDB is a DB whose server does not answer, on a datadir holding
	// the given binary logs in its index (none: no index at all).
	fileDB := func(t *testing.T, lang string, restart []string, logs ...string) *DB {
		dir := t.TempDir()
		var index string
		for _, l := range logs {
			must(t, os.WriteFile(filepath.Join(dir, l), []byte("x"), 0o600))
			index += "./" + l + "\n"
		}
		if len(logs) > 0 {
			must(t, os.WriteFile(filepath.Join(dir, "mysql-bin.index"), []byte(index), 0o600))
		}
		d, err := New(config.Database{DSN: "root@unix(" + filepath.Join(dir, "no.sock") + ")/", Datadir: dir,
			MyCnf: filepath.Join(dir, "my.cnf"), Restart: restart, Timeout: config.Duration{Duration: time.Second}}, host.NewLocalEditing(edittest.Dirs(t)))
		must(t, err)
		t.Cleanup(func() { d.Close() })
		d.T = (&config.Config{Lang: lang}).T
		return d
	}
	serverDB := func(t *testing.T, lang string) *DB {
		d := testDB(t, needServer(t), filepath.Join(t.TempDir(), "my.cnf"))
		d.T = (&config.Config{Lang: lang}).T
		return d
	}
	restart := []string{"true"}
	gatetest.Refusals(t, []gatetest.Refusal{
		{Name: "expiry out of range", Err: func(t *testing.T, lang string) error {
			_, err := fileDB(t, lang, restart).SetExpiry(ctx, 100)
			return err
		}, En: "expiry days must be between 0 and 99, not 100", Ja: "保存期間は 0〜99 日で指定してください（100 ではなく）"},
		{Name: "default purge keeps two", Err: func(t *testing.T, lang string) error {
			_, err := DefaultPurgeTo([]Binlog{{Name: "mysql-bin.000001"}, {Name: "mysql-bin.000002", Active: true}}, (&config.Config{Lang: lang}).T)
			return err
		}, En: "only 2 binary logs: nothing to purge while keeping the active one and the one before",
			Ja: "バイナリログは 2 個だけです: 現在のログとその前のログを残すと、削除するものがありません"},
		{Name: "purge to an unknown log", Err: func(t *testing.T, lang string) error {
			_, err := serverDB(t, lang).PlanPurgeTo(ctx, "mysql-bin.999999")
			return err
		}, En: `no binary log named "mysql-bin.999999" (see db status)`, Ja: `"mysql-bin.999999" という名前のバイナリログはありません（db status で確認）`},
		{Name: "emergency while the server answers", Err: func(t *testing.T, lang string) error {
			d := serverDB(t, lang)
			d.Cfg.DiskFullPercent = 0
			_, err := d.PlanEmergency(ctx)
			return err
		}, En: "the server answers: use purge, not the emergency path", Ja: "サーバーは応答しています: 緊急手順ではなく purge を使ってください", Is: errServerAnswers},
		{Name: "emergency below the threshold", Err: func(t *testing.T, lang string) error {
			d := fileDB(t, lang, restart, "mysql-bin.000001", "mysql-bin.000002")
			d.Cfg.DiskFullPercent = 100.1
			_, err := d.PlanEmergency(ctx)
			return err
		}, En: "the disk of * is at *%, below 100%: the emergency path is not needed (purge instead)",
			Ja: "* のディスク使用率は *% で、100% 未満です: 緊急手順は不要です（purge を使ってください）"},
		{Name: "emergency on the active log only", Err: func(t *testing.T, lang string) error {
			_, err := fileDB(t, lang, restart, "mysql-bin.000007").PlanEmergency(ctx)
			return err
		}, En: "*/mysql-bin.index names 1 binary log(s): the only one is the active log, never removed",
			Ja: "*/mysql-bin.index にあるバイナリログは 1 個です: 現在のログしかなく、それは削除しません"},
		{Name: "emergency without an index", Err: func(t *testing.T, lang string) error {
			_, err := fileDB(t, lang, restart).PlanEmergency(ctx)
			return err
		}, En: "cannot tell the binary log index file in * (found 0 candidates); set log_bin_index in my.cnf",
			Ja: "* のバイナリログのインデックスファイルを特定できません（候補 0 個）。my.cnf に log_bin_index を設定してください"},
		{Name: "emergency without a restart command", Err: func(t *testing.T, lang string) error {
			_, err := fileDB(t, lang, nil, "mysql-bin.000001", "mysql-bin.000002").PlanEmergency(ctx)
			return err
		}, En: "no restart command configured ([database] restart)", Ja: "再起動コマンドが設定されていません（[database] restart）"},
		{Name: "emergency on a changed index", Err: func(t *testing.T, lang string) error {
			d := fileDB(t, lang, restart, "mysql-bin.000001", "mysql-bin.000002")
			p, err := d.PlanEmergency(ctx)
			must(t, err)
			must(t, os.WriteFile(p.Index, []byte("./mysql-bin.000002\n"), 0o600))
			audit := filepath.Join(t.TempDir(), "audit.jsonl")
			res := gate.New(false, audit).Do(ctx, d.Emergency(p))
			if recs, _ := gate.ReadAudit(audit); len(recs) != 2 || !strings.HasSuffix(recs[1].Error, " changed since the preview (now 1 entries, first \"./mysql-bin.000002\"): nothing done") {
				t.Errorf("audit (stays English): %+v", recs)
			}
			return res.Err
		}, En: `*/mysql-bin.index changed since the preview (now 1 entries, first "./mysql-bin.000002"): nothing done`,
			Ja: `*/mysql-bin.index がプレビューの後に変わりました（今は 1 件、先頭 "./mysql-bin.000002"）: 何もしていません`},
		{Name: "binary logging off", Err: func(t *testing.T, lang string) error {
			return fileDB(t, lang, restart).errNoBinlog()
		}, En: "binary logging is off on this server", Ja: "このサーバーではバイナリログが無効です", Is: ErrNoBinlog},
	})
}
