// Package jobsview is the Jobs tab: the four stock checks.
package jobsview

import (
	"strings"

	"github.com/richs/richsops/ui/common"
)

// New builds the Jobs tab.
func New(d *common.Deps) common.Tab {
	lines := []string{d.Styles.Title.Render(d.T("Configured jobs", "設定済みジョブ"))}
	for _, j := range d.Cfg.Jobs {
		lines = append(lines, "  "+j.Name+" "+strings.Join(j.Args, " ")+"  → "+d.Cfg.JobLogPath(j))
	}
	return common.NewInfoTab(d.T("Jobs", "ジョブ"), lines)
}
