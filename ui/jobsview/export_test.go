package jobsview

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ui/common"
	"github.com/richs/richsops/ui/uitest"
)

// GoldenData is the tab's test deps in lang and the messages that fill it
// with fixed data, for the golden screens (golden_test.go), which run the
// tab inside the App.
func GoldenData(t *testing.T, lang string) (*common.Deps, []tea.Msg) {
	d := deps(t, false)
	d.Lang, d.HostLabel = lang, "demo-box"
	// Fixed paths, not the test's temp folder: nothing reads them (the
	// golden screens run no Cmd).
	d.Cfg.Crontab.Path, d.Cfg.App.Dir, d.Cfg.App.LogDir = "/etc/crontab", "/home/richs/app", "/home/richs/app/logs"
	snap := snapshot(d)
	snap.st[2].LastRun, snap.st[2].LastFrom = d.Now().Add(-250*time.Second), "log"
	return d, []tea.Msg{snap, goldenHistory(d)}
}

// goldenHistory is a fixed record of the fourth job's runs: twice a day
// for ten days, one failure, the last one ok.
func goldenHistory(d *common.Deps) histMsg {
	job := d.Cfg.Jobs[3].Name
	var rs []history.Run
	start := d.Now().Add(-10 * 24 * time.Hour)
	for i := range 20 {
		r := history.Run{Job: job, Start: start.Add(time.Duration(i) * 12 * time.Hour), Trigger: history.TriggerCron, User: "richs",
			Counts: map[string]int{"items": 1000 + 10*i}}
		r.End = r.Start.Add(14*time.Minute + time.Duration(i%3)*time.Minute)
		code := 0
		if i == 15 {
			code = 3
		}
		r.ExitCode = &code
		rs = append(rs, r)
	}
	judged := history.Judge(nil, rs, func(string) time.Duration { return 0 })
	return histMsg{runs: map[string]history.JobRuns{job: {Runs: judged, Baseline: history.BaselineOf(rs)}}}
}

// GoldenDetail is the keys that open the details of the job goldenHistory fills.
func GoldenDetail() []tea.Msg {
	return []tea.Msg{uitest.Key("j"), uitest.Key("j"), uitest.Key("j"), uitest.Key("enter")}
}

// GoldenRemoteData is GoldenData for the tab on db1, another host with no
// richsops installed: its run history cannot be asked for.
func GoldenRemoteData(t *testing.T, lang string) (*common.Deps, []tea.Msg) {
	d, _ := GoldenData(t, lang)
	d.Host, d.Cfg.Lang = "db1", lang // the error is worded by ops in the config's language
	snap := snapshot(d)
	snap.host = "db1"
	return d, []tea.Msg{snap, histMsg{host: "db1", err: jobs.NotInstalled(d.Cfg, "db1")}}
}
