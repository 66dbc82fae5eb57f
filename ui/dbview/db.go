// Package dbview is the Database tab: binary logs, disk, expiry, backups.
package dbview

import (
	"github.com/richs/richsops/ui/common"
)

// New builds the Database tab.
func New(d *common.Deps) common.Tab {
	c := d.Cfg.Database
	lines := []string{
		d.Styles.Title.Render(d.T("Database", "データベース")),
		"  host:    " + c.Host,
		"  datadir: " + c.Datadir,
		"  my.cnf:  " + c.MyCnf,
		"  backup:  " + d.Cfg.Backup.Dir,
	}
	return common.NewInfoTab(d.T("Database", "DB"), lines)
}
