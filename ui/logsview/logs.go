// Package logsview is the Logs tab: live log panes.
package logsview

import (
	"github.com/richs/richsops/ui/common"
)

// New builds the Logs tab.
func New(d *common.Deps) common.Tab {
	lines := []string{d.Styles.Title.Render(d.T("Configured logs", "設定済みログ"))}
	for _, l := range d.Cfg.Logs {
		lines = append(lines, "  "+l.Name+"  "+l.Path)
	}
	return common.NewInfoTab(d.T("Logs", "ログ"), lines)
}
