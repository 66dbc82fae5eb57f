// Package overview is the Overview tab: everything that needs attention.
package overview

import (
	"github.com/richs/richsops/ui/common"
)

// New builds the Overview tab.
func New(d *common.Deps) common.Tab {
	c := d.Cfg
	lines := []string{
		d.Styles.Title.Render(d.T("Configured", "設定")),
		"  app:      " + c.App.Dir + " (user " + c.App.User + ")",
		"  crontab:  " + c.Crontab.Path,
		"  public:   " + c.Public.Dir,
		"  database: " + c.Database.Host + " " + c.Database.Datadir,
		"  backup:   " + c.Backup.Dir,
		"  captcha:  " + c.Amazon.CaptchaURL,
	}
	return common.NewInfoTab(d.T("Overview", "概要"), lines)
}
