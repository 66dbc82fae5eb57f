package mysql

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/ops/config"
)

func TestLogOlder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"mysql-bin.000118", "mysql-bin.000119", true},
		{"mysql-bin.000119", "mysql-bin.000119", false},
		{"mysql-bin.000120", "mysql-bin.000119", false},
		{"mysql-bin.999999", "mysql-bin.1000000", true},
		{"mysql-bin.1000000", "mysql-bin.999999", false},
		{"old-bin.000001", "mysql-bin.000119", false}, // another base: not known older
		{"noext", "mysql-bin.000119", false},
	} {
		if got := logOlder(c.a, c.b); got != c.want {
			t.Errorf("logOlder(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// TestBackupPreview: what the purge preview says of the last verified
// backup, in both languages, from a LastBackup that answers, finds none,
// fails, or was never wired; each but the plain one asks for the word.
func TestBackupPreview(t *testing.T) {
	logs := func(names ...string) []Binlog {
		var out []Binlog
		for _, n := range names {
			out = append(out, Binlog{Name: n, Size: 1 << 20})
		}
		return out
	}
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.Local)
	point := &BackupPoint{Name: "db-20261201-030000.sql.gz", At: at, File: "mysql-bin.000120", Pos: 4567}
	found := func(context.Context) (Backups, error) { return Backups{Last: point}, nil }
	for _, c := range []struct {
		name    string
		lang    string
		last    func(context.Context) (Backups, error)
		removes []Binlog
		danger  string
		want    string
	}{
		{"older", "en", found, logs("mysql-bin.000118", "mysql-bin.000119"), "",
			"all older than the last verified backup (2026-12-01 03:00, at mysql-bin.000120:4567)"},
		{"newer", "en", found, logs("mysql-bin.000119", "mysql-bin.000120", "mysql-bin.000121", "mysql-bin.000122", "mysql-bin.000123"), PurgeWord,
			"mysql-bin.000120–000123 are newer than the last verified backup (2026-12-01 03:00, at mysql-bin.000120:4567): purging them loses point-in-time recovery from it"},
		{"one newer", "en", found, logs("mysql-bin.000119", "mysql-bin.000120"), PurgeWord,
			"mysql-bin.000120 is newer than the last verified backup (2026-12-01 03:00, at mysql-bin.000120:4567): purging it loses"},
		{"newer ja", "ja", found, logs("mysql-bin.000120", "mysql-bin.000121"), PurgeWord,
			"mysql-bin.000120–000121 は最後に検証したバックアップ（2026-12-01 03:00、位置 mysql-bin.000120:4567）より新しいログです"},
		{"none", "en", func(context.Context) (Backups, error) {
			return Backups{Notes: []string{"a", "b", "c", "d", "e"}}, nil
		}, logs("mysql-bin.000001"), PurgeWord, "NO VERIFIED BACKUP RECORDS A BINARY-LOG POSITION: nothing shows these logs are not needed for point-in-time recovery\n  a\n  b\n  c\n  and 2 more"},
		{"unreadable", "en", func(context.Context) (Backups, error) {
			return Backups{}, errors.New("reading the backup folder: permission denied\x1b[2J")
		}, logs("mysql-bin.000001"), PurgeWord, "  reading the backup folder: permission denied"},
		{"not wired", "ja", nil, logs("mysql-bin.000001"), PurgeWord, "バイナリログの位置を記録した検証済みバックアップがありません"},
	} {
		cfg := config.Default()
		cfg.Lang = c.lang
		d := &DB{T: cfg.T, LastBackup: c.last}
		p := PurgePlan{To: "x", SQL: "PURGE BINARY LOGS TO 'x'", Removes: c.removes}
		d.CheckBackup(context.Background(), &p)
		a := d.Purge(p)
		if a.Danger != c.danger {
			t.Errorf("%s: danger %q, want %q", c.name, a.Danger, c.danger)
		}
		gatetest.Has(t, c.name, a.Preview, c.want)
		if strings.Contains(strings.Join(a.Preview, "\n"), "\x1b") {
			t.Errorf("%s: unsanitized preview", c.name)
		}
	}
}
