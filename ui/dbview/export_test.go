package dbview

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/backup"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/forecast"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// GoldenData is a fixed database for the golden screens (golden_test.go),
// which run the tab inside the App: deps in lang with a frozen clock and
// one status, of a server that answers or, when down, of the emergency
// (disk full, server down).
func GoldenData(lang string, down bool) (*common.Deps, []tea.Msg) {
	now := uitest.Frozen
	cfg := config.Default()
	d := uitest.GoldenDeps(cfg, lang)
	const gib = 1 << 30
	var logs []mysql.Binlog
	var total int64
	for i := range 8 {
		l := mysql.Binlog{Name: "mysql-bin.00010" + string(rune('1'+i)), Size: int64(1+i%3) * gib}
		total += l.Size
		logs = append(logs, l)
	}
	logs[len(logs)-1].Active = true
	days := 10.0
	st := &mysql.Status{At: now, Datadir: "/var/lib/mysql", Binlogs: logs, BinlogTotal: total,
		IndexFile: "/var/lib/mysql/mysql-bin.index", CnfPath: "/etc/my.cnf", CnfFiles: []string{"/etc/my.cnf"},
		CnfExpiry: []mysql.CnfSetting{{File: "/etc/my.cnf", Line: 12, Section: "mysqld", Key: "expire_logs_days", Value: "10"}},
		Threshold: cfg.Database.DiskFullPercent}
	if down {
		st.ServerErr = "dial unix /var/lib/mysql/mysql.sock: connect: no such file or directory"
		st.Disk = &host.DiskUsage{Path: "/var/lib/mysql", Mount: "/", Total: 100 * gib, Used: 99 * gib, Free: gib / 2}
		st.Emergency = true
	} else {
		st.Server = &mysql.Server{Version: "10.5.22-MariaDB-log", MariaDB: true, Uptime: 9*24*time.Hour + 5*time.Hour, LogBin: true,
			Datadir: "/var/lib/mysql/", BinlogBase: "/var/lib/mysql/mysql-bin", BinlogIdx: "/var/lib/mysql/mysql-bin.index",
			Expiry: mysql.Expiry{Days: &days, EffectiveSecs: 10 * 86400}, Binlogs: logs, Active: logs[len(logs)-1].Name, Total: total}
		st.Disk = &host.DiskUsage{Path: "/var/lib/mysql", Mount: "/", Total: 100 * gib, Used: 62 * gib, Free: 38 * gib}
	}
	st.BinlogShare = float64(total) / float64(st.Disk.Total) * 100
	// Backups newest first, as backup.List gives them.
	var files []backup.File
	for i, size := range []int64{410 << 20, 405 << 20, 398 << 20} {
		at := time.Date(now.Year(), now.Month(), now.Day(), 3, 30, 0, 0, now.Location()).AddDate(0, 0, -i)
		files = append(files, backup.File{Name: "db-" + at.Format("20060102-150405") + ".sql.gz", Size: size, At: at, Verified: true})
	}
	// Positions: the newest two recorded one, the oldest predates them.
	files[0].Binlog = &backup.Position{File: "mysql-bin.000105", Pos: 4567}
	files[1].Binlog = &backup.Position{File: "mysql-bin.000103", Pos: 98765}
	return d, []tea.Msg{statusMsg{st: st, backups: files, fc: goldenForecast(now, int64(st.Disk.Free))}}
}

// goldenForecast is the datadir filling 5 GiB/h over the last hour to
// free bytes now (a WARN at 38 GiB, a CRIT at the emergency's 0.5 GiB).
func goldenForecast(now time.Time, free int64) forecast.Result {
	const perHour = 5 << 30
	var pts []forecast.Point
	for i := 0; i <= 60; i++ {
		pts = append(pts, forecast.Point{T: now.Add(time.Duration(i-60) * time.Minute), V: float64(free) + perHour*float64(60-i)/60})
	}
	f := forecast.Compute(pts, now)
	f.Disk, f.Host, f.Path = forecast.DiskDatadir, "local", "/var/lib/mysql"
	h, _ := f.HoursLeft(now)
	f.Level = forecast.Next(forecast.LevelOK, h, config.Default().Forecast)
	return forecast.Result{At: now, Forecasts: []forecast.Forecast{f}}
}

// GoldenPurge is the purge P proposes on GoldenData's status (to the
// default target), its preview checked against the newest backup there.
func GoldenPurge(d *common.Deps, msgs []tea.Msg) gate.Action {
	sm := msgs[0].(statusMsg)
	logs := sm.st.Binlogs
	newest := sm.backups[0]
	db := &mysql.DB{T: d.T, LastBackup: func(context.Context) (mysql.Backups, error) {
		return mysql.Backups{Last: &mysql.BackupPoint{Name: newest.Name, At: newest.At, File: newest.Binlog.File, Pos: newest.Binlog.Pos}}, nil
	}}
	to := logs[len(logs)-2].Name
	p := mysql.PurgePlan{To: to, SQL: "PURGE BINARY LOGS TO '" + to + "'", Removes: logs[:len(logs)-2]}
	for _, l := range p.Removes {
		p.Bytes += l.Size
	}
	db.CheckBackup(context.Background(), &p)
	return db.Purge(p)
}
