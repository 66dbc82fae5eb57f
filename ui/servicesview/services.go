// Package servicesview is the Services tab: units, pm2, Redis, probes.
package servicesview

import (
	"github.com/richs/richsops/ui/common"
)

// New builds the Services tab.
func New(d *common.Deps) common.Tab {
	lines := []string{d.Styles.Title.Render(d.T("Configured services", "設定済みサービス"))}
	for _, s := range d.Cfg.Services {
		lines = append(lines, "  "+s.Name+" ("+s.Kind+")")
	}
	return common.NewInfoTab(d.T("Services", "サービス"), lines)
}
