package mysql

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/sanitize"
)

func (d *DB) hostName() string {
	return host.RemoteName(d.Host)
}

// expirySQL is the runtime statement for this server (see Expiry).
func expirySQL(srv *Server, days int) []string {
	if srv.Expiry.UsesSeconds() {
		q := []string{fmt.Sprintf("SET GLOBAL binlog_expire_logs_seconds = %d", days*86400)}
		if !srv.MariaDB && srv.Expiry.Days != nil && *srv.Expiry.Days != 0 {
			// MySQL 8.0 refuses both non-zero; clear the deprecated one first.
			q = append([]string{"SET GLOBAL expire_logs_days = 0"}, q...)
		}
		return q
	}
	return []string{fmt.Sprintf("SET GLOBAL expire_logs_days = %d", days)}
}

// NeverWord is what the operator types to set an expiry of 0 days (never).
const NeverWord = "NEVER"

// SetExpiry plans "expiry = days" at runtime and in my.cnf. It reads the
// server and my.cnf now, so the preview shows the exact statements and lines.
// 0 days (never expire) asks for NeverWord typed.
func (d *DB) SetExpiry(ctx context.Context, days int) (gate.Action, error) {
	if days < 0 || days > 99 {
		return gate.Action{}, config.BadArgument(config.Errorf(d.T, "expiry days must be between 0 and 99, not %d", "保存期間は 0〜99 日で指定してください（%d ではなく）", days))
	}
	srv, err := d.Client.ServerStatus(ctx)
	if err != nil {
		return gate.Action{}, fmt.Errorf("server: %w", err)
	}
	cnf, err := ReadCnf(ctx, d.Host, d.Cfg.MyCnf)
	if err != nil {
		return gate.Action{}, fmt.Errorf("my.cnf: %w", err)
	}
	edits, err := cnf.planExpiry(days, !srv.MariaDB && srv.Expiry.UsesSeconds(), d.T) // MySQL 8: the seconds are the current name
	if err != nil {
		return gate.Action{}, err
	}
	stmts := expirySQL(srv, days)
	preview := append([]string{}, stmts...)
	for _, e := range edits {
		preview = append(preview, e.Changes...)
		preview = append(preview, fmt.Sprintf(d.t("%s: atomic write, backup kept", "%s: 一時ファイル経由で置換、バックアップあり"), e.Path))
	}
	if len(edits) == 0 {
		preview = append(preview, fmt.Sprintf(d.t("%s: already says %d days", "%s: すでに %d 日です"), d.Cfg.MyCnf, days))
	}
	target, summary, danger := fmt.Sprintf("%d days", days), fmt.Sprintf(d.t("binary log expiry set to %d days (runtime and my.cnf); FLUSH BINARY LOGS applies it now",
		"バイナリログの保存期間を %d 日にしました（実行中の設定と my.cnf）。FLUSH BINARY LOGS ですぐに適用されます"), days), ""
	if days == 0 {
		// 0 is not "expire at once": it turns expiry off, and on a small
		// disk the binary logs then grow until it is full.
		target, danger = "never expire (0 days)", NeverWord
		summary = d.t("binary logs set to NEVER expire (runtime and my.cnf): purge them by hand",
			"バイナリログを無期限保存（期限切れなし）にしました（実行中の設定と my.cnf）。手動で削除してください")
		preview = append([]string{d.t("0 days means the binary logs NEVER expire: the disk fills until someone purges them",
			"0 日はバイナリログを無期限に残す設定です: 誰かが削除するまでディスクは埋まり続けます")}, preview...)
	}
	return gate.Action{
		Name: "db.expire", Target: target, Host: d.hostName(), Danger: danger,
		Preview: preview,
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var out gate.Outcome
			for _, q := range stmts {
				if err := d.Client.exec(ctx, q); err != nil {
					return out, fmt.Errorf("%s: %w", q, err)
				}
				out.Details = append(out.Details, q+": ok")
			}
			for _, e := range edits {
				r, err := d.Host.Edit(ctx, e.Path, host.Unchanged(d.T, e.Path, e.Old, e.New), host.EditOpts{Backup: true, T: d.T})
				bak := r.Backup
				if err != nil {
					return out, config.Errorf(d.T, "runtime set, but %s not saved: %w", "実行中の設定は変更しましたが、%s を保存できませんでした: %w", e.Path, err)
				}
				out.Details = append(out.Details, e.Changes...)
				out.Details = append(out.Details, fmt.Sprintf(d.t("%s saved (backup %s)", "%s を保存しました（バックアップ %s）"), e.Path, bak))
			}
			out.Summary = summary
			return out, nil
		},
	}, nil
}

// gone lists the logs of before that are not in after.
func gone(before, after []Binlog) ([]Binlog, int64) {
	left := map[string]bool{}
	for _, b := range after {
		left[b.Name] = true
	}
	var out []Binlog
	var n int64
	for _, b := range before {
		if !left[b.Name] {
			out = append(out, b)
			n += b.Size
		}
	}
	return out, n
}

func (d *DB) describe(logs []Binlog, bytes int64) []string {
	if len(logs) == 0 {
		return []string{d.t("no binary log removed", "削除されたバイナリログはありません")}
	}
	out := []string{fmt.Sprintf(d.t("removed %d binary logs, %s:", "バイナリログ %d 個（%s）を削除しました:"), len(logs), human.Bytes(bytes))}
	for _, b := range logs {
		out = append(out, fmt.Sprintf("  %s  %s", b.Name, human.Bytes(b.Size)))
	}
	return out
}

// Flush plans FLUSH BINARY LOGS: a new log starts and the server applies
// its expiry, removing what is older. The outcome says what it removed.
func (d *DB) Flush() gate.Action {
	const q = "FLUSH BINARY LOGS"
	return gate.Action{
		Name: "db.flush", Target: "binary logs", Host: d.hostName(),
		Preview: []string{q, d.t("starts a new binary log; the server removes logs older than its expiry",
			"新しいバイナリログを始めます。保存期間より古いログはサーバーが削除します")},
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var out gate.Outcome
			before, err := d.Client.ServerStatus(ctx)
			if err != nil {
				return out, err
			}
			if !before.LogBin {
				return out, d.errNoBinlog()
			}
			if err := d.Client.exec(ctx, q); err != nil {
				return out, fmt.Errorf("%s: %w", q, err)
			}
			after, err := d.Client.ServerStatus(ctx)
			if err != nil {
				return out, d.statusAfterErr("flushed", "フラッシュしました", err)
			}
			logs, n := gone(before.Binlogs, after.Binlogs)
			out.Details = append([]string{q + d.t(": ok, active log now ", ": ok、現在のログ: ") + after.Active}, d.describe(logs, n)...)
			out.Summary = fmt.Sprintf(d.t("flushed; %d binary logs removed (%s)", "フラッシュしました。バイナリログ %d 個を削除（%s）"), len(logs), human.Bytes(n))
			return out, nil
		},
	}
}

// PurgePlan is what a purge would remove, for the preview.
type PurgePlan struct {
	To        string    // PURGE BINARY LOGS TO this log, or
	Before    time.Time // BEFORE this time
	Removes   []Binlog
	Bytes     int64
	SQL       string
	Uncertain bool // BEFORE: the server decides by file times we could not all read
	// Backup is the newest verified backup with a binary-log position
	// (nil: none, or the backups could not be read: BackupNotes say why);
	// Needed are the logs of Removes from its file on.
	Backup      *BackupPoint
	BackupNotes []string
	Needed      []Binlog
}

// DefaultPurgeTo keeps the active log and the one before it. Its refusal
// is in t's language (nil = English).
func DefaultPurgeTo(logs []Binlog, t func(en, ja string) string) (string, error) {
	if len(logs) < 3 {
		return "", config.WithKind(config.Errorf(t, "only %d binary logs: nothing to purge while keeping the active one and the one before",
			"バイナリログは %d 個だけです: 現在のログとその前のログを残すと、削除するものがありません", len(logs)), ErrNothingToPurge)
	}
	return logs[len(logs)-2].Name, nil
}

// ErrNothingToPurge: the default purge keeps every log there is (done
// already, not a failure).
var ErrNothingToPurge = errors.New("nothing to purge")

// PlanPurgeTo plans PURGE BINARY LOGS TO log ("" = the default).
func (d *DB) PlanPurgeTo(ctx context.Context, to string) (PurgePlan, error) {
	srv, err := d.Client.ServerStatus(ctx)
	if err != nil {
		return PurgePlan{}, err
	}
	if !srv.LogBin {
		return PurgePlan{}, d.errNoBinlog()
	}
	if to == "" {
		if to, err = DefaultPurgeTo(srv.Binlogs, d.T); err != nil {
			return PurgePlan{}, err
		}
	}
	at := -1
	for i, b := range srv.Binlogs {
		if b.Name == to {
			at = i
		}
	}
	if at < 0 {
		return PurgePlan{}, config.BadArgument(config.Errorf(d.T, "no binary log named %q (see db status)", "%q という名前のバイナリログはありません（db status で確認）", to))
	}
	if !safeLogName(to) {
		return PurgePlan{}, fmt.Errorf("binary log name %q has unexpected characters", to)
	}
	if _, err := d.purgeEntries(ctx, srv); err != nil {
		return PurgePlan{}, err
	}
	p := PurgePlan{To: to, SQL: "PURGE BINARY LOGS TO '" + to + "'"}
	for _, b := range srv.Binlogs[:at] {
		if b.Active { // cannot happen: the active log is the last
			return PurgePlan{}, config.Errorf(d.T, "refusing: %s is the active log", "拒否: %s は現在のログです", b.Name)
		}
		p.Removes = append(p.Removes, b)
		p.Bytes += b.Size
	}
	d.CheckBackup(ctx, &p)
	return p, nil
}

// PlanPurgeBefore plans PURGE BINARY LOGS BEFORE t. The server removes logs
// whose file was last written before t; the preview stats the files.
func (d *DB) PlanPurgeBefore(ctx context.Context, t time.Time) (PurgePlan, error) {
	srv, err := d.Client.ServerStatus(ctx)
	if err != nil {
		return PurgePlan{}, err
	}
	if !srv.LogBin {
		return PurgePlan{}, d.errNoBinlog()
	}
	entries, err := d.purgeEntries(ctx, srv)
	if err != nil {
		return PurgePlan{}, err
	}
	p := PurgePlan{Before: t, SQL: "PURGE BINARY LOGS BEFORE '" + t.Format("2006-01-02 15:04:05") + "'"}
	for _, b := range srv.Binlogs {
		if b.Active {
			break // the server stops at the active log too
		}
		e, ok := entries[b.Name]
		if !ok || e.StatErr != nil {
			p.Uncertain = true
			continue
		}
		fi := e.Info
		if !fi.ModTime.Before(t) {
			break // the server stops at the first log not old enough
		}
		p.Removes = append(p.Removes, b)
		p.Bytes += b.Size
	}
	d.CheckBackup(ctx, &p)
	return p, nil
}

// purgeEntries checks the index before a purge: the server removes the
// files its entries name, so one entry leading outside the datadir (or to a
// link) refuses the purge. The entries come back by log name.
func (d *DB) purgeEntries(ctx context.Context, srv *Server) (map[string]indexEntry, error) {
	idx, err := d.indexPath(ctx, nil, srv)
	if err != nil {
		return nil, err
	}
	entries, err := d.checkIndex(ctx, idx)
	if err != nil {
		return nil, fmt.Errorf("binlog index: %w", err)
	}
	byName := make(map[string]indexEntry, len(entries))
	for _, e := range entries {
		if e.Refused != nil {
			return nil, config.Errorf(d.T, "refusing to purge: %w", "purge を拒否します: %w", e.Refused)
		}
		byName[e.Name()] = e
	}
	return byName, nil
}

// Purge turns a plan into the action. The outcome lists what really went.
// An error from the server comes back as its own text, unchanged. A log
// the server kept without an error (MariaDB keeps the one a replica still
// reads) is named in the outcome.
func (d *DB) Purge(p PurgePlan) gate.Action {
	preview := []string{p.SQL}
	preview = append(preview, fmt.Sprintf(d.t("frees %s in %d files (the active log is never purged):",
		"%[2]d ファイル、%[1]s を空けます（現在のログは削除しません）:"), human.Bytes(p.Bytes), len(p.Removes)))
	for _, b := range p.Removes {
		preview = append(preview, fmt.Sprintf("  %s  %s", b.Name, human.Bytes(b.Size)))
	}
	if !p.Before.IsZero() {
		preview = append(preview, d.t("the server may keep a log still needed for crash recovery; the result lists what went",
			"クラッシュリカバリに必要なログはサーバーが残すことがあります。実際に削除したものは結果に出ます"))
	}
	if p.Uncertain {
		preview = append(preview, d.t("some file times could not be read: the server decides by them",
			"一部のファイルの時刻を読めませんでした: 削除するかはサーバーがその時刻で決めます"))
	}
	preview = append(preview, d.backupPreview(p)...)
	danger := ""
	if p.Risky() {
		danger = PurgeWord
	}
	target := p.To
	if target == "" {
		target = "before " + p.Before.Format(time.RFC3339)
	}
	return gate.Action{
		Name: "db.purge", Target: target, Host: d.hostName(), Preview: preview, Danger: danger,
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var out gate.Outcome
			before, err := d.Client.ServerStatus(ctx)
			if err != nil {
				return out, err
			}
			// PURGE cannot be prepared: the SQL is built from a log name
			// checked against the server's own list and a formatted time.
			if err := d.Client.exec(ctx, p.SQL); err != nil {
				return out, err
			}
			after, err := d.Client.ServerStatus(ctx)
			if err != nil {
				return out, d.statusAfterErr("purged", "削除しました", err)
			}
			logs, n := gone(before.Binlogs, after.Binlogs)
			out.Details = append([]string{p.SQL + ": ok"}, d.describe(logs, n)...)
			out.Summary = fmt.Sprintf(d.t("purged %d binary logs (%s)", "バイナリログ %d 個を削除しました（%s）"), len(logs), human.Bytes(n))
			if kept := stillThere(p.Removes, after.Binlogs); len(kept) > 0 {
				out.Summary += fmt.Sprintf(d.t("; kept %d the plan named", "。予定のうち %d 個は残りました"), len(kept))
				out.Details = append(out.Details, d.keptNote(ctx, kept)...)
			}
			return out, nil
		},
	}
}

// statusAfterErr: the change (did) was made, but reading the server's
// status after it failed, so the outcome cannot say what went.
func (d *DB) statusAfterErr(did, didJa string, err error) error {
	return config.Errorf(d.T, did+", but the status after failed: %w", didJa+"が、その後の状態を取得できませんでした: %w", err)
}

// errNoBinlog is ErrNoBinlog in the operator's language.
func (d *DB) errNoBinlog() error {
	return config.Translate(d.T, ErrNoBinlog, "このサーバーではバイナリログが無効です")
}

// stillThere lists the planned logs that the server still has.
func stillThere(planned, after []Binlog) []Binlog {
	left := map[string]bool{}
	for _, b := range after {
		left[b.Name] = true
	}
	var out []Binlog
	for _, b := range planned {
		if left[b.Name] {
			out = append(out, b)
		}
	}
	return out
}

// keptNote explains logs a purge left behind. MariaDB (10.11 at least)
// does not refuse a purge past the log a connected replica still reads: it
// answers OK, without a warning, and keeps that log and every later one. It
// also keeps a log still needed for crash recovery. The connected replicas
// (binlog dump threads) are counted so the operator sees which case it is.
func (d *DB) keptNote(ctx context.Context, kept []Binlog) []string {
	out := []string{fmt.Sprintf(d.t("the server kept %d of the planned logs without an error, from %s:",
		"サーバーは予定のうち %d 個をエラーなしで残しました（%s 以降）:"), len(kept), kept[0].Name),
		d.t("  it keeps the log a connected replica is still reading and every later one, and a log still needed for crash recovery",
			"  接続中のレプリカが読んでいるログとそれ以降のすべて、およびクラッシュリカバリに必要なログは残されます")}
	_, rows, err := d.Client.rows(ctx, "SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
	switch {
	case err != nil:
		out = append(out, fmt.Sprintf(d.t("  connected replicas: unknown (%v)", "  接続中のレプリカ: 不明（%v）"), err))
	case len(rows) == 0:
		out = append(out, d.t("  connected replicas: none now", "  接続中のレプリカ: 今はなし"))
	default:
		hosts := make([]string, len(rows))
		for i, r := range rows {
			hosts[i] = r[0]
		}
		out = append(out, fmt.Sprintf(d.t("  connected replicas: %d (%s); see SHOW SLAVE STATUS on each",
			"  接続中のレプリカ: %d（%s）。それぞれで SHOW SLAVE STATUS を確認"), len(rows), strings.Join(hosts, ", ")))
	}
	return out
}

// EmergencyPlan is the file-level path: what it would remove and run.
type EmergencyPlan struct {
	Index   string
	Entries []string // the index's entries when planned
	Oldest  string   // entry to remove
	File    string   // its path
	Size    int64
	ID      host.Identity // what the removal checks File against
	Why     string        // how the server failed the test (no connection, timeout)
	Restart []string
	Disk    host.DiskUsage
}

// PlanEmergency checks the condition (disk at or above the threshold and
// the server not answering) and names the oldest log of the index.
func (d *DB) PlanEmergency(ctx context.Context) (EmergencyPlan, error) {
	var p EmergencyPlan
	du, err := d.Host.Disk(ctx, d.Cfg.Datadir)
	if err != nil {
		return p, fmt.Errorf("disk of %s: %w", d.Cfg.Datadir, err)
	}
	p.Disk = du
	if du.Percent() < d.Cfg.DiskFullPercent {
		return p, config.Errorf(d.T, "the disk of %s is at %.1f%%, below %.0f%%: the emergency path is not needed (purge instead)",
			"%s のディスク使用率は %.1f%% で、%.0f%% 未満です: 緊急手順は不要です（purge を使ってください）", d.Cfg.Datadir, du.Percent(), d.Cfg.DiskFullPercent)
	}
	switch err := d.Client.serves(ctx); {
	case err == nil:
		return p, config.Translate(d.T, errServerAnswers, "サーバーは応答しています: 緊急手順ではなく purge を使ってください")
	case !cannotServe(err):
		return p, config.Errorf(d.T, "the server answers, with an error (%v): it is up, so the emergency path is refused; fix the login (dsn) or the connection limit, then purge",
			"サーバーはエラーで応答しています（%v）: 稼働中なので緊急手順は行いません。ログイン（dsn）か接続数の上限を直してから purge を使ってください", err)
	default:
		p.Why = err.Error()
	}
	cnf, _ := ReadCnf(ctx, d.Host, d.Cfg.MyCnf)
	if p.Index, err = d.indexPath(ctx, cnf, nil); err != nil {
		return p, err
	}
	entries, err := d.checkIndex(ctx, p.Index)
	if err != nil {
		return p, fmt.Errorf("binlog index: %w", err)
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, e.Entry)
	}
	if len(entries) < 2 {
		return p, config.Errorf(d.T, "%s names %d binary log(s): the only one is the active log, never removed",
			"%s にあるバイナリログは %d 個です: 現在のログしかなく、それは削除しません", p.Index, len(entries))
	}
	oldest, active := entries[0], entries[len(entries)-1]
	switch {
	case oldest.Refused != nil:
		return p, oldest.Refused
	case oldest.StatErr != nil:
		return p, fmt.Errorf("oldest binary log: %w", oldest.StatErr)
	case oldest.File == active.File || active.StatErr == nil && oldest.Info.Dev == active.Info.Dev && oldest.Info.Ino == active.Info.Ino:
		return p, config.Errorf(d.T, "%s names %s first and last: it is the active log, never removed",
			"%s は %s を最初と最後に挙げています: 現在のログなので削除しません", p.Index, oldest.File)
	}
	p.Oldest, p.File, p.Size, p.ID = oldest.Entry, oldest.File, oldest.Info.Size, oldest.Info.Identity()
	p.Restart = d.Cfg.Restart
	if len(p.Restart) == 0 {
		return p, config.Errorf(d.T, "no restart command configured ([database] restart)", "再起動コマンドが設定されていません（[database] restart）")
	}
	return p, nil
}

// Emergency is the runbook's path as one action, every step reported.
func (d *DB) Emergency(p EmergencyPlan) gate.Action {
	return gate.Action{
		Name: "db.emergency", Target: path.Base(p.File), Host: d.hostName(), Argv: p.Restart,
		Danger: "DELETE",
		Preview: []string{
			fmt.Sprintf(d.t("disk of %s at %.1f%% (%s free); the server cannot serve (SHOW BINARY LOGS: %s)", "%s のディスク使用率 %.1f%%（空き %s）。サーバーは処理できません（SHOW BINARY LOGS: %s）"),
				d.Cfg.Datadir, p.Disk.Percent(), human.Bytes(int64(p.Disk.Free)), sanitize.String(p.Why)),
			fmt.Sprintf(d.t("1. remove %s (%s), the oldest of %d logs in the index", "1. %s（%s）を削除: インデックスにある %d 個のログで最も古いもの"),
				p.File, human.Bytes(p.Size), len(p.Entries)),
			fmt.Sprintf(d.t("2. rewrite %s without %s", "2. %s を %s なしで書き直す"), p.Index, p.Oldest),
			fmt.Sprintf(d.t("3. run %s (once more if it times out)", "3. %s を実行（タイムアウトしたらもう一度）"), host.ShellQuote(p.Restart)),
			d.t("4. show disk and status again", "4. ディスクと状態をもう一度表示"),
		},
		Run: func(ctx context.Context) (gate.Outcome, error) { return d.runEmergency(ctx, p) },
	}
}

func (d *DB) runEmergency(ctx context.Context, p EmergencyPlan) (gate.Outcome, error) {
	var out gate.Outcome
	step := func(en, ja string, a ...any) { out.Details = append(out.Details, fmt.Sprintf(d.t(en, ja), a...)) }
	// Re-check: the index must still start with the planned log, and it
	// must not be the last (active) one.
	raw, err := d.Host.ReadFile(ctx, p.Index)
	if err != nil {
		return out, fmt.Errorf("binlog index: %w", err)
	}
	entries := parseIndex(raw)
	if len(entries) < 2 || entries[0] != p.Oldest {
		return out, config.Errorf(d.T, "%s changed since the preview (now %d entries, first %q): nothing done",
			"%s がプレビューの後に変わりました（今は %d 件、先頭 %q）: 何もしていません", p.Index, len(entries), first(entries))
	}
	if err := d.Host.RemoveUnder(ctx, d.datadir(), path.Base(p.File), p.ID); err != nil {
		if errors.Is(err, host.ErrNotSame) || errors.Is(err, host.ErrSymlinkOnPath) {
			return out, config.Errorf(d.T, "%s changed since the preview (%w): nothing done", "%s はプレビューの後に変わりました（%w）: 何もしていません", p.File, err)
		}
		return out, fmt.Errorf("remove %s: %w", p.File, err)
	}
	step("removed %s (%s)", "%s（%s）を削除しました", p.File, human.Bytes(p.Size))
	newIndex := dropFirstEntry(raw, p.Oldest)
	if _, err := d.Host.Edit(ctx, p.Index, host.Unchanged(d.T, p.Index, raw, newIndex), host.EditOpts{T: d.T}); err != nil {
		return out, config.Errorf(d.T, "%s removed, but the index was not rewritten: %w", "%s は削除しましたが、インデックスを書き直せませんでした: %w", p.File, err)
	}
	step("rewrote %s: %d entries left", "%s を書き直しました: 残り %d 件", p.Index, len(entries)-1)
	if du, err := d.Host.Disk(ctx, d.Cfg.Datadir); err == nil {
		step("disk now %.1f%% used, %s free", "ディスク使用率 %.1f%%、空き %s", du.Percent(), human.Bytes(int64(du.Free)))
	}
	var runErr error
	for try := 1; try <= 2; try++ {
		res, err := d.Host.Run(ctx, host.Cmd{Argv: p.Restart, Timeout: d.restartTimeout()})
		runErr = err
		switch {
		case err == nil:
			step("restart (try %d): ok in %s", "再起動（%d 回目）: %s で成功", try, res.Duration.Round(time.Millisecond))
		case errors.Is(err, host.ErrTimeout) && try == 1:
			step("restart (try %d): timed out after %s; retrying once, as the runbook says",
				"再起動（%d 回目）: %s でタイムアウト。手順書どおりもう一度実行", try, d.restartTimeout())
			continue
		default:
			step("restart (try %d): %v", "再起動（%d 回目）: %v", try, err)
		}
		break
	}
	if runErr != nil {
		out.Summary = d.t("oldest binary log removed, but the restart failed", "最も古いバイナリログを削除しましたが、再起動に失敗しました")
		return out, fmt.Errorf("restart: %w", runErr)
	}
	wait := d.StartWait
	if wait <= 0 {
		wait = time.Minute
	}
	deadline := time.Now().Add(wait)
	for {
		err := d.Client.serves(ctx)
		if !cannotServe(err) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			step("server still not answering after %s: %v", "%s 経ってもサーバーが応答しません: %v", wait, err)
			out.Summary = d.t("oldest binary log removed and restart run, but the server does not answer",
				"最も古いバイナリログを削除して再起動しましたが、サーバーが応答しません")
			return out, config.Errorf(d.T, "server not answering after restart: %w", "再起動後もサーバーが応答しません: %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	st := d.Status(ctx)
	if st.Server != nil {
		step("server answers: %s, up %s, %d binary logs (%s)", "サーバー応答あり: %s、稼働 %s、バイナリログ %d 個（%s）", st.Server.Version, human.DurationT(d.t, st.Server.Uptime), len(st.Binlogs), human.Bytes(st.BinlogTotal))
	}
	if st.Disk != nil {
		step("disk of %s: %.1f%% used, %s free", "%s のディスク: 使用率 %.1f%%、空き %s", st.Datadir, st.Disk.Percent(), human.Bytes(int64(st.Disk.Free)))
	}
	out.Summary = fmt.Sprintf(d.t("removed %s, restarted; disk %.1f%%", "%s を削除して再起動しました。ディスク %.1f%%"), p.Oldest, st.DiskPercent())
	return out, nil
}

func (d *DB) restartTimeout() time.Duration {
	if d.RestartTimeout > 0 {
		return d.RestartTimeout
	}
	return 2 * time.Minute
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// dropFirstEntry removes the first line naming entry, keeping every other byte.
func dropFirstEntry(raw []byte, entry string) []byte {
	lines := splitLines(raw)
	for i, l := range lines {
		if strings.TrimSpace(string(l)) == entry {
			out := append([]byte{}, joinLines(lines[:i])...)
			return append(out, joinLines(lines[i+1:])...)
		}
	}
	return raw
}

func joinLines(ls [][]byte) []byte {
	var out []byte
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

// safeLogName: binary log names are letters, digits, '.', '-' and '_'.
func safeLogName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
