package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/richs/richsops/ops/sanitize"
)

// BackupPoint is the newest verified backup's binary-log position: a
// point-in-time recovery from that backup replays the logs from File on.
type BackupPoint struct {
	Name string    // the backup file
	At   time.Time // when its dump started
	File string    // the binary log it was taken in
	Pos  int64
}

// Backups is what a purge knows of the backups (ops/backup reads them, on
// the machine they are on, through its own host).
type Backups struct {
	Last *BackupPoint // nil: no verified backup records a position
	// Notes say why newer backups do not count or why there is none,
	// sanitized and in the configured language.
	Notes []string
}

// PurgeWord is the typed confirmation of a purge that loses point-in-time
// recovery from the last verified backup (or cannot tell).
const PurgeWord = "PURGE"

// maxBackupNotes bounds the reasons listed in a preview.
const maxBackupNotes = 3

// CheckBackup fills the plan's backup part: which of the logs it removes
// the last verified backup still needs. Backups that cannot be read count
// as none (the typed word), with the reason.
func (d *DB) CheckBackup(ctx context.Context, p *PurgePlan) {
	if d.LastBackup == nil {
		p.BackupNotes = []string{d.t("the backups were not looked at", "バックアップを確認していません")}
		return
	}
	bk, err := d.LastBackup(ctx)
	p.Backup, p.BackupNotes = bk.Last, bk.Notes
	if err != nil {
		p.Backup = nil
		p.BackupNotes = append(p.BackupNotes, sanitize.String(err.Error()))
	}
	if p.Backup == nil {
		return
	}
	for _, b := range p.Removes {
		if !logOlder(b.Name, p.Backup.File) {
			p.Needed = append(p.Needed, b)
		}
	}
}

// logOlder: binary log a comes before b. Names of another base cannot be
// ordered: then a is not known to be older.
func logOlder(a, b string) bool {
	ia, ib := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	if ia < 0 || ib < 0 || a[:ia] != b[:ib] {
		return false
	}
	na, nb := a[ia+1:], b[ib+1:]
	return len(na) < len(nb) || len(na) == len(nb) && na < nb
}

// Risky: the purge loses point-in-time recovery from the last verified
// backup, or nothing says it does not.
func (p PurgePlan) Risky() bool { return p.Backup == nil || len(p.Needed) > 0 }

// logRange names logs as "mysql-bin.000120–000123" (one base name) or
// "mysql-bin.000120".
func logRange(logs []Binlog) string {
	first, last := logs[0].Name, logs[len(logs)-1].Name
	if len(logs) == 1 {
		return first
	}
	if i := strings.LastIndexByte(last, '.'); i >= 0 && strings.HasPrefix(first, last[:i+1]) {
		return first + "–" + last[i+1:]
	}
	return first + "–" + last
}

// backupPreview is what the purge preview says about the last verified
// backup.
func (d *DB) backupPreview(p PurgePlan) []string {
	if p.Backup == nil {
		out := []string{d.t("NO VERIFIED BACKUP RECORDS A BINARY-LOG POSITION: nothing shows these logs are not needed for point-in-time recovery",
			"バイナリログの位置を記録した検証済みバックアップがありません: これらのログがポイントインタイムリカバリに不要だとは言えません")}
		for i, n := range p.BackupNotes {
			if i == maxBackupNotes {
				out = append(out, fmt.Sprintf(d.t("  and %d more", "  ほか %d 件"), len(p.BackupNotes)-i))
				break
			}
			out = append(out, "  "+n)
		}
		return out
	}
	bk := p.Backup.At.In(time.Local).Format("2006-01-02 15:04") + d.t(", at ", "、位置 ") + sanitize.String(p.Backup.File) + fmt.Sprintf(":%d", p.Backup.Pos)
	if len(p.Needed) == 0 {
		return []string{fmt.Sprintf(d.t("all older than the last verified backup (%s)", "すべて最後に検証したバックアップ（%s）より古いログです"), bk)}
	}
	r := logRange(p.Needed)
	if len(p.Needed) == 1 {
		return []string{fmt.Sprintf(d.t("%s is newer than the last verified backup (%s): purging it loses point-in-time recovery from it",
			"%s は最後に検証したバックアップ（%s）より新しいログです: 削除するとそのバックアップからのポイントインタイムリカバリができなくなります"), r, bk)}
	}
	return []string{fmt.Sprintf(d.t("%s are newer than the last verified backup (%s): purging them loses point-in-time recovery from it",
		"%s は最後に検証したバックアップ（%s）より新しいログです: 削除するとそのバックアップからのポイントインタイムリカバリができなくなります"), r, bk)}
}
