package mysql

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/gate/gatetest"
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
		Restart: []string{"systemctl", "restart", "mysqld"}, Disk: host.DiskUsage{Total: 100 << 30, Used: 99 << 30, Free: 1 << 30}}
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
			s.Datadir + " のディスク使用率 99.0%（空き 1.0 GiB）。サーバーが応答しません",
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

// matches is got == want, where each * in want stands for a number (a disk
// percentage that moves while the tests run).
func matches(want, got string) bool {
	re := strings.ReplaceAll(regexp.QuoteMeta(want), `\*`, `[0-9.]+`)
	return regexp.MustCompile("^" + re + "$").MatchString(got)
}

// TestRefusals triggers the database refusals with lang = en and ja: the
// English text byte for byte as before, the Japanese one with the same
// names, numbers, SQL words and config keys, and errors.Is unchanged.
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
			MyCnf: filepath.Join(dir, "my.cnf"), Restart: restart, Timeout: config.Duration{Duration: time.Second}}, host.NewLocal())
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
	for _, tc := range []struct {
		name   string
		err    func(t *testing.T, lang string) (string, error) // the datadir the text names, and the error
		en, ja string                                          // DIR = the datadir
		is     error
	}{
		{"expiry out of range", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, restart)
			_, err := d.SetExpiry(ctx, 100)
			return d.Cfg.Datadir, err
		}, "expiry days must be between 0 and 99, not 100", "保存期間は 0〜99 日で指定してください（100 ではなく）", nil},
		{"default purge keeps two", func(t *testing.T, lang string) (string, error) {
			_, err := DefaultPurgeTo([]Binlog{{Name: "mysql-bin.000001"}, {Name: "mysql-bin.000002", Active: true}}, (&config.Config{Lang: lang}).T)
			return "", err
		}, "only 2 binary logs: nothing to purge while keeping the active one and the one before",
			"バイナリログは 2 個だけです: 現在のログとその前のログを残すと、削除するものがありません", nil},
		{"purge to an unknown log", func(t *testing.T, lang string) (string, error) {
			d := serverDB(t, lang)
			_, err := d.PlanPurgeTo(ctx, "mysql-bin.999999")
			return d.Cfg.Datadir, err
		}, `no binary log named "mysql-bin.999999" (see db status)`, `"mysql-bin.999999" という名前のバイナリログはありません（db status で確認）`, nil},
		{"emergency while the server answers", func(t *testing.T, lang string) (string, error) {
			d := serverDB(t, lang)
			d.Cfg.DiskFullPercent = 0
			_, err := d.PlanEmergency(ctx)
			return d.Cfg.Datadir, err
		}, "the server answers: use purge, not the emergency path", "サーバーは応答しています: 緊急手順ではなく purge を使ってください", errServerAnswers},
		{"emergency below the threshold", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, restart, "mysql-bin.000001", "mysql-bin.000002")
			d.Cfg.DiskFullPercent = 100.1
			_, err := d.PlanEmergency(ctx)
			return d.Cfg.Datadir, err
		}, "the disk of DIR is at *%, below 100%: the emergency path is not needed (purge instead)",
			"DIR のディスク使用率は *% で、100% 未満です: 緊急手順は不要です（purge を使ってください）", nil},
		{"emergency on the active log only", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, restart, "mysql-bin.000007")
			_, err := d.PlanEmergency(ctx)
			return d.Cfg.Datadir, err
		}, "DIR/mysql-bin.index names 1 binary log(s): the only one is the active log, never removed",
			"DIR/mysql-bin.index にあるバイナリログは 1 個です: 現在のログしかなく、それは削除しません", nil},
		{"emergency without an index", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, restart)
			_, err := d.PlanEmergency(ctx)
			return d.Cfg.Datadir, err
		}, "cannot tell the binary log index file in DIR (found 0 candidates); set log_bin_index in my.cnf",
			"DIR のバイナリログのインデックスファイルを特定できません（候補 0 個）。my.cnf に log_bin_index を設定してください", nil},
		{"emergency without a restart command", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, nil, "mysql-bin.000001", "mysql-bin.000002")
			_, err := d.PlanEmergency(ctx)
			return d.Cfg.Datadir, err
		}, "no restart command configured ([database] restart)", "再起動コマンドが設定されていません（[database] restart）", nil},
		{"emergency on a changed index", func(t *testing.T, lang string) (string, error) {
			d := fileDB(t, lang, restart, "mysql-bin.000001", "mysql-bin.000002")
			p, err := d.PlanEmergency(ctx)
			must(t, err)
			must(t, os.WriteFile(p.Index, []byte("./mysql-bin.000002\n"), 0o600))
			audit := filepath.Join(t.TempDir(), "audit.jsonl")
			res := gate.New(false, audit).Do(ctx, d.Emergency(p))
			if recs, _ := gate.ReadAudit(audit); len(recs) != 2 || recs[1].Error != strings.ReplaceAll(
				`DIR/mysql-bin.index changed since the preview (now 1 entries, first "./mysql-bin.000002"): nothing done`, "DIR", d.Cfg.Datadir) {
				t.Errorf("audit (stays English): %+v", recs)
			}
			return d.Cfg.Datadir, res.Err
		}, `DIR/mysql-bin.index changed since the preview (now 1 entries, first "./mysql-bin.000002"): nothing done`,
			`DIR/mysql-bin.index がプレビューの後に変わりました（今は 1 件、先頭 "./mysql-bin.000002"）: 何もしていません`, nil},
		{"binary logging off", func(t *testing.T, lang string) (string, error) {
			return "", fileDB(t, lang, restart).errNoBinlog()
		}, "binary logging is off on this server", "このサーバーではバイナリログが無効です", ErrNoBinlog},
	} {
		for _, lang := range []string{"en", "ja"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				dir, err := tc.err(t, lang)
				want := strings.ReplaceAll(config.Pick(lang, tc.en, tc.ja), "DIR", dir)
				if err == nil || !matches(want, err.Error()) {
					t.Errorf("got  %v\nwant %s", err, want)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("errors.Is(%v) lost", tc.is)
				}
			})
		}
	}
}
