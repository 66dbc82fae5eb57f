package mysql

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
