// Package dbcmd is `richsops db ...` and `richsops backup`: the Database
// tab's readings and actions, headless, through the same gate.
package dbcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/backup"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/sanitize/cells"
)

const usage = `richsops db status [--json]            server, binary logs, expiry (server and my.cnf), datadir disk
richsops db expire [--days N] [--flush]  set binary log expiry (default 1 day) at runtime and in my.cnf;
                                        --flush then runs FLUSH BINARY LOGS to apply it now;
                                        --days 0 means never expire (typed confirmation: NEVER)
richsops db flush                       FLUSH BINARY LOGS; shows what the expiry removed
richsops db purge [--to LOG | --before TIME]
                                        PURGE BINARY LOGS; default --to keeps the active log and the one
                                        before; TIME is "2006-01-02 15:04:05", "2006-01-02", RFC 3339,
                                        or an age such as 3d or 12h; a LOG the server does not list exits 2
richsops db emergency                   disk full and server down: remove the oldest binary log named in
                                        the index, restart mysqld (typed confirmation: DELETE)
richsops db backup                      same as richsops backup`

const usageJa = `richsops db status [--json]            サーバー、バイナリログ、保存期間（サーバーと my.cnf）、datadir のディスク
richsops db expire [--days N] [--flush]  バイナリログの保存期間（既定 1 日）を実行中のサーバーと my.cnf に設定;
                                        --flush: 続けて FLUSH BINARY LOGS で今すぐ適用;
                                        --days 0 は期限なし（NEVER の入力が必要）
richsops db flush                       FLUSH BINARY LOGS。保存期間で消えたものを表示
richsops db purge [--to LOG | --before TIME]
                                        PURGE BINARY LOGS。既定の --to は現在のログとその前を残す。
                                        TIME は "2006-01-02 15:04:05"、"2006-01-02"、RFC 3339、
                                        または 3d や 12h のような経過時間。ないログ名は終了コード 2
richsops db emergency                   ディスク満杯でサーバー停止: インデックスにある最も古いバイナリ
                                        ログを削除して mysqld を再起動（DELETE の入力が必要）
richsops db backup                      richsops backup と同じ`

func init() {
	cli.Register(cli.Command{Name: "db", Summary: "database: status, expire, flush, purge, emergency, backup", Usage: usage,
		SummaryJa: "データベース: 状態、保存期間、flush、purge、緊急削除、バックアップ", UsageJa: usageJa, Run: run})
	cli.Register(cli.Command{Name: "backup", Summary: "take a database backup now (for cron)", SummaryJa: "今すぐデータベースをバックアップ（cron 用）",
		Usage:   "richsops backup   mysqldump | pgzip into [backup] dir, verified, newest [backup] keep kept; exit 1 on failure",
		UsageJa: "richsops backup   mysqldump | pgzip で [backup] dir へ。検証し、新しい [backup] keep 個を残す。失敗すると終了コード 1",
		Run:     func(env *cli.Env, args []string) error { return runBackup(env, args) }})
}

func run(env *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.UsageT(env.Cfg.T, "db: want status, expire, flush, purge, emergency or backup", "db: status、expire、flush、purge、emergency、backup のどれかを指定してください")
	}
	switch args[0] {
	case "status":
		return status(env, args[1:])
	case "expire":
		return expire(env, args[1:])
	case "flush":
		return withDB(env, func(d *mysql.DB) error { _, err := env.Do(d.Flush()); return err })
	case "purge":
		return purge(env, args[1:])
	case "emergency":
		return emergency(env, args[1:])
	case "backup":
		return runBackup(env, args[1:])
	}
	return cli.UsageT(env.Cfg.T, "db: unknown %q (status, expire, flush, purge, emergency, backup)", "db: %q はありません（status、expire、flush、purge、emergency、backup）", args[0])
}

func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return cli.Usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return cli.Usagef("%s: unexpected %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func withDB(env *cli.Env, f func(d *mysql.DB) error) error {
	d, err := mysql.FromConfig(env.Cfg, env.Hosts)
	if err != nil {
		return err
	}
	defer d.Close()
	// A purge's preview names the logs the last verified backup needs; the
	// backups are on this machine whatever host the database is on.
	d.LastBackup = backup.FromConfig(env.Cfg).ForPurge
	return f(d)
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

func status(env *cli.Env, args []string) error {
	if err := parse(flags("db status"), args); err != nil {
		return err
	}
	return withDB(env, func(d *mysql.DB) error {
		c, cancel := ctx()
		defer cancel()
		st := d.Status(c)
		dumped := backupServer(env)
		fc := DatadirForecast(c, env.Cfg, d.Host.Name(), st, time.Now())
		if env.JSON {
			if err := env.PrintJSON(struct {
				*mysql.Status
				BackupServer string `json:"backup_server"`
				Forecast
			}{st, dumped, fc}); err != nil {
				return err
			}
		} else {
			for _, l := range StatusLines(st, env.Cfg.T) {
				fmt.Fprintln(env.Stdout, sanitize.String(l))
			}
			for _, l := range fc.Lines(env.Cfg.T) {
				fmt.Fprintln(env.Stdout, sanitize.String(l))
			}
			fmt.Fprintln(env.Stdout, env.Cfg.T("backup:   dumps ", "バックアップ: ダンプ先 ")+dumped)
		}
		// Exit 1 either way, so a monitor reading the JSON gets it too.
		return unreadParts(env, st)
	})
}

// Forecast is the datadir's forecast in db status, as the Database tab
// shows it: "full in about N h" and the default purge worked out against
// it. Absent when there is no history database or no sample of the datadir.
type Forecast struct {
	Forecast *forecast.Summary `json:"forecast,omitempty"`
	Purge    *forecast.Purge   `json:"forecast_purge,omitempty"` // while the server answers
	Error    string            `json:"forecast_error,omitempty"`
}

// DatadirForecast judges the datadir's forecast (recording a changed
// level, as check does) and works out the default purge over st's logs.
func DatadirForecast(ctx context.Context, cfg *config.Config, hostName string, st *mysql.Status, now time.Time) Forecast {
	var out Forecast
	res, err := forecast.Judge(ctx, cfg, now, "db status")
	if errors.Is(err, history.ErrNoDatabase) {
		return out
	}
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Error = res.RecordErr
	f, ok := res.DiskOn(forecast.DiskDatadir, hostName)
	if !ok {
		return out
	}
	sum := f.Summary(cfg.T, now)
	out.Forecast = &sum
	if st.Server != nil {
		if p, ok := forecast.PlanPurge(st.Binlogs, f); ok {
			out.Purge = &p
		}
	}
	return out
}

// Lines are the forecast's lines of the text status.
func (f Forecast) Lines(t func(en, ja string) string) []string {
	label := func(en, ja string) string {
		l := config.Tr(t, en, ja)
		return l + strings.Repeat(" ", max(10-cells.Width(l), 1))
	}
	var out []string
	if f.Forecast != nil {
		out = append(out, label("forecast:", "予測:")+f.Forecast.Text)
	}
	if f.Purge != nil {
		out = append(out, label("fix:", "対処:")+f.Purge.Text(t)+"  (richsops db purge)")
	}
	if f.Error != "" {
		out = append(out, label("forecast:", "予測:")+f.Error)
	}
	return out
}

// unreadParts fails the status (exit 1) when a part of it could not be
// read, naming the parts: the server, my.cnf (or an include of it), the
// datadir's disk.
func unreadParts(env *cli.Env, st *mysql.Status) error {
	var parts []string
	for _, p := range []struct {
		name   string
		failed bool
	}{{"server", st.ServerErr != ""}, {"my.cnf", st.CnfErr != "" || len(st.CnfMissing) > 0}, {"disk", st.DiskErr != ""}} {
		if p.failed {
			parts = append(parts, p.name)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return cli.ExitError{Code: cli.ExitFail, Err: config.Errorf(env.Cfg.T, "incomplete: could not read %s",
		"不完全です: %s を読めませんでした", strings.Join(parts, ", "))}
}

// backupServer says which server `backup` dumps (or why that is unknown).
func backupServer(env *cli.Env) string {
	c, err := backup.FromConfig(env.Cfg).Server()
	if err != nil {
		return sanitize.String(err.Error())
	}
	return sanitize.String(c.String())
}

// StatusLines is the plain-text status in t's language (also what the
// tests read).
func StatusLines(st *mysql.Status, t func(en, ja string) string) []string {
	// label is a line's heading, padded in cells so that the values line up
	// in Japanese too.
	label := func(en, ja string) string {
		l := config.Tr(t, en, ja)
		return l + strings.Repeat(" ", max(10-cells.Width(l), 1))
	}
	server, cnf, disk := label("server:", "サーバー:"), label("my.cnf:", "my.cnf:"), label("disk:", "ディスク:")
	var out []string
	if st.Server != nil {
		s := st.Server
		out = append(out, server+fmt.Sprintf(config.Tr(t, "%s, up %s", "%s、稼働 %s"), s.Version, human.DurationT(t, s.Uptime)))
		out = append(out, label("expiry:", "保存期間:")+s.Expiry.String())
	} else if st.Answers {
		out = append(out, server+config.Tr(t, "UP, BUT ANSWERS WITH AN ERROR: ", "稼働中、ただしエラーを返します: ")+sanitize.String(st.ServerErr))
	} else {
		out = append(out, server+config.Tr(t, "NOT ANSWERING: ", "応答なし: ")+st.ServerErr)
	}
	for _, c := range st.CnfExpiry {
		out = append(out, cnf+fmt.Sprintf("%s = %s  (%s:%d [%s])", c.Key, c.Value, c.File, c.Line, c.Section))
	}
	if len(st.CnfExpiry) == 0 && st.CnfErr == "" {
		out = append(out, cnf+config.Tr(t, "no expiry set in ", "保存期間の設定なし: ")+strings.Join(st.CnfFiles, ", "))
	}
	if st.CnfErr != "" {
		out = append(out, cnf+st.CnfErr)
	}
	for _, m := range st.CnfMissing {
		out = append(out, cnf+config.Tr(t, "include not readable: ", "include を読めません: ")+m)
	}
	if st.Disk != nil {
		out = append(out, disk+fmt.Sprintf(config.Tr(t, "%s on %s: %s of %s used (%.1f%%), %s free; binary logs %s (%.1f%% of the disk)",
			"%s（%s）: %s / %s 使用（%.1f%%）、空き %s。バイナリログ %s（ディスクの %.1f%%）"),
			st.Datadir, st.Disk.Mount, human.Bytes(int64(st.Disk.Used)), human.Bytes(int64(st.Disk.Total)), st.Disk.Percent(),
			human.Bytes(int64(st.Disk.Free)), human.Bytes(st.BinlogTotal), st.BinlogShare))
	} else {
		out = append(out, disk+st.DiskErr)
	}
	if st.Emergency {
		out = append(out, fmt.Sprintf(config.Tr(t, "EMERGENCY: disk at or above %.0f%% and the server does not answer: richsops db emergency",
			"緊急: ディスクが %.0f%% 以上でサーバーが応答しません: richsops db emergency"), st.Threshold))
	}
	out = append(out, fmt.Sprintf(config.Tr(t, "binary logs: %d, %s", "バイナリログ: %d 個、%s"), len(st.Binlogs), human.Bytes(st.BinlogTotal)))
	for _, b := range st.Binlogs {
		mark := ""
		if b.Active {
			mark = config.Tr(t, "  (active)", "  （現在のログ）")
		}
		out = append(out, fmt.Sprintf("  %-24s %10s%s", b.Name, human.Bytes(b.Size), mark))
	}
	for _, r := range st.IndexRefused {
		out = append(out, label("REFUSED:", "拒否:")+sanitize.String(r))
	}
	return out
}

func expire(env *cli.Env, args []string) error {
	fs := flags("db expire")
	days := fs.Int("days", env.Cfg.Database.ExpireDays, "days")
	flush := fs.Bool("flush", false, "apply now")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withDB(env, func(d *mysql.DB) error {
		c, cancel := ctx()
		defer cancel()
		a, err := d.SetExpiry(c, *days)
		if err != nil {
			return err
		}
		if _, err := env.Do(a); err != nil {
			return err
		}
		if *flush {
			_, err = env.Do(d.Flush())
		}
		return err
	})
}

func purge(env *cli.Env, args []string) error {
	fs := flags("db purge")
	to := fs.String("to", "", "log")
	before := fs.String("before", "", "time")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to != "" && *before != "" {
		return cli.UsageT(env.Cfg.T, "db purge: --to or --before, not both", "db purge: --to か --before のどちらか一方を指定してください")
	}
	var t time.Time
	if *before != "" {
		var err error
		if t, err = mysql.ParseBefore(*before, time.Now()); err != nil {
			return cli.Usagef("%v", err)
		}
	}
	return withDB(env, func(d *mysql.DB) error {
		c, cancel := ctx()
		defer cancel()
		var p mysql.PurgePlan
		var err error
		if *before != "" {
			p, err = d.PlanPurgeBefore(c, t)
		} else {
			p, err = d.PlanPurgeTo(c, *to)
		}
		if errors.Is(err, mysql.ErrNothingToPurge) { // done already: exit 0
			return env.NothingToDo("db.purge", "", err.Error(), err.Error())
		}
		if err != nil {
			return err
		}
		if len(p.Removes) == 0 {
			return env.NothingToDo("db.purge", p.To, "nothing to purge", "削除するバイナリログはありません")
		}
		_, err = env.Do(d.Purge(p))
		return err
	})
}

func emergency(env *cli.Env, args []string) error {
	if err := parse(flags("db emergency"), args); err != nil {
		return err
	}
	return withDB(env, func(d *mysql.DB) error {
		c, cancel := ctx()
		defer cancel()
		p, err := d.PlanEmergency(c)
		if err != nil {
			return err
		}
		_, err = env.Do(d.Emergency(p))
		return err
	})
}

func runBackup(env *cli.Env, args []string) error {
	if err := parse(flags("backup"), args); err != nil {
		return err
	}
	b := backup.FromConfig(env.Cfg)
	p, err := b.Plan(context.Background())
	if err != nil {
		return err
	}
	var progress func(backup.Progress)
	if f, ok := sanitize.Unwrap(env.Stderr).(*os.File); ok && isTerminal(f) && !env.JSON {
		progress = func(pr backup.Progress) {
			fmt.Fprintf(f, "\r%s", pr.String())
			if pr.Done {
				fmt.Fprintln(f)
			}
		}
	}
	a := b.Action(p, progress)
	// ctrl+c, SIGTERM and a closed terminal (SIGHUP) cancel the dump so the
	// partial file is removed instead of the process dying with it in place.
	inner := a.Run
	a.Run = func(c context.Context) (gate.Outcome, error) {
		c, stop := signal.NotifyContext(c, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		return inner(c)
	}
	_, err = env.Do(a) // with --json, Do prints the result as JSON
	return err
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
