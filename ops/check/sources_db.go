package check

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ops/sanitize"
)

// SrcDB is the database server's check.
const SrcDB = "db"

func init() {
	register(Collector{Name: SrcDB, Timeout: 30 * time.Second, Run: Database})
}

// Database: the server not answering is Crit; the datadir's disk at or
// above database.disk_full_percent or thresholds.disk_crit_percent is
// Crit (binary logs fill it: `p` purges on the Database tab; E is the
// emergency path when the server no longer answers), at or above
// thresholds.disk_warn_percent a warning.
func Database(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	t := cfg.T
	d, err := mysql.FromConfig(cfg, hosts)
	if err != nil {
		return report(SrcDB, []attention.Item{couldNotRun(SrcDB, err.Error())})
	}
	defer d.Close()
	s := d.Status(ctx)
	var items []attention.Item
	switch {
	case s.ServerErr != "" && s.Answers:
		// An error reply (a wrong login, too many connections): the server
		// is up, and the emergency path is not for it.
		items = append(items, attention.Item{Severity: attention.Crit, Area: attention.AreaDatabase, ID: "mysql error reply",
			Text: fmt.Sprintf(t("MySQL answers with an error: %s", "MySQL がエラーを返す: %s"), sanitize.String(s.ServerErr))})
	case s.ServerErr != "":
		items = append(items, attention.Item{Severity: attention.Crit, Area: attention.AreaDatabase, ID: "mysql no answer",
			Text: fmt.Sprintf(t("MySQL does not answer: %s", "MySQL が応答しない: %s"), sanitize.String(s.ServerErr))})
	}
	for _, r := range s.IndexRefused {
		items = append(items, attention.Item{Severity: attention.Warn, Area: attention.AreaDatabase,
			Text: fmt.Sprintf(t("binary log index: %s", "バイナリログのインデックス: %s"), sanitize.String(r))})
	}
	pct := s.DiskPercent()
	if pct < 0 {
		items = append(items, couldNotRun(SrcDB, fmt.Sprintf(t("datadir %s disk: %s", "datadir %s のディスク: %s"), s.Datadir, s.DiskErr)))
		return report(SrcDB, items)
	}
	crit := cfg.Thresholds.DiskCritPercent
	if full := cfg.Database.DiskFullPercent; full > 0 && (crit <= 0 || full < crit) {
		crit = full
	}
	if sev := attention.Level(pct, cfg.Thresholds.DiskWarnPercent, crit); sev > attention.OK {
		key := "P"
		if s.Emergency {
			key = "!"
		}
		// The limit crossed is in the text: it is configurable, and a
		// reading such as 14% is only alarming next to it.
		limit := cfg.Thresholds.DiskWarnPercent
		if sev == attention.Crit {
			limit = crit
		}
		items = append(items, attention.Item{Severity: sev, Key: key, Area: attention.AreaDatabase,
			Text: fmt.Sprintf(t("DB disk %s %.0f%% full, limit %s (binary logs %s)", "DB ディスク %s 使用率 %.0f%%、上限 %s（バイナリログ %s）"),
				s.Datadir, pct, human.Limit(limit), human.Bytes(s.BinlogTotal))})
	}
	return report(SrcDB, items)
}
