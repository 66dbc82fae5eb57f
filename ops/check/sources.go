package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/catchup"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/services"
)

// Source names.
const (
	SrcJobs       = "jobs"
	SrcIndexLinux = "index-linux"
	SrcServices   = "services"
	SrcProbes     = "probes"
)

func init() {
	register(Collector{Name: SrcIndexLinux, Timeout: 20 * time.Second, Run: IndexLinux})
	register(Collector{Name: SrcJobs, Timeout: 40 * time.Second, Run: Jobs})
	register(Collector{Name: SrcServices, Timeout: 30 * time.Second, Run: Services})
	register(Collector{Name: SrcProbes, Timeout: 30 * time.Second, Run: Probes})
}

func report(src string, items []attention.Item) attention.Report {
	return attention.Report{Source: src, Items: items}
}

// Jobs: a paused job (Warn, Crit once cron skipped a run of it or when
// the brake paused it; `p` resumes it), a missed run (Crit, `R` runs it now as a catch-up), a process running longer
// than its job's max_runtime (Warn), and a guarded Mercari job (guard =
// "index-linux", which richsops refuses to start while index-linux is
// unhealthy) running while it is (Crit: it may be withdrawing items now).
func Jobs(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	t := cfg.T
	h, err := hosts.Get(cfg.Host)
	if err != nil {
		return report(SrcJobs, []attention.Item{couldNotRun(SrcJobs, err.Error())})
	}
	now := time.Now()
	sts, err := jobs.Snapshot(ctx, h, cfg, now)
	if err != nil {
		return report(SrcJobs, []attention.Item{couldNotRun(SrcJobs, err.Error())})
	}
	var items []attention.Item
	seen := map[string]bool{}
	var guardedRunning []string
	for _, s := range sts {
		for _, e := range s.Errors {
			if !seen[e] { // "processes: ..." repeats for every job
				seen[e] = true
				items = append(items, couldNotRun(SrcJobs, s.Name+": "+e))
			}
		}
		if m := s.Missed; m != nil {
			items = append(items, missedItem(ctx, cfg, h, s.Name, m))
		}
		if p := s.Paused; p != nil {
			sev := attention.Warn
			if p.Skipped > 0 {
				sev = attention.Crit
			}
			text := s.Name + ": " + p.Describe(t)
			if p.By == gate.ActorBrake {
				// Crit until an operator resumes it: the brake never does.
				sev = attention.Crit
				text += t("; resume with p on the Jobs tab once index-linux answers correctly",
					"。index-linux が正しく答えるようになったら Jobs タブの p で再開してください")
			}
			items = append(items, attention.Item{Severity: sev, Key: "p", Area: attention.AreaJobs, Text: text})
		}
		j, _ := cfg.Job(s.Name)
		for _, p := range s.Procs {
			if j.MaxRuntime.Duration > 0 && p.Elapsed > j.MaxRuntime.Duration {
				items = append(items, attention.Item{Severity: attention.Warn, Key: "X", Area: attention.AreaJobs,
					Text: fmt.Sprintf(t("%s pid %d running for %s (max_runtime %s)", "%s pid %d が %s 実行中（max_runtime %s）"),
						s.Name, p.PID, human.DurationT(t, p.Elapsed), human.DurationT(t, j.MaxRuntime.Duration))})
			}
		}
		if j.Guard == "index-linux" && len(s.Procs) > 0 {
			guardedRunning = append(guardedRunning, s.Name)
		}
	}
	if len(guardedRunning) > 0 {
		if ok, why := health.IndexLinuxOn(ctx, cfg, hosts); !ok {
			for _, name := range guardedRunning {
				items = append(items, attention.Item{Severity: attention.Crit, Key: "X", Area: attention.AreaJobs,
					Text: fmt.Sprintf(t("%s RUNNING while index-linux is unhealthy (%s): stop it", "%s が index-linux 異常中に実行中（%s）: 停止して"),
						name, why)})
			}
		}
	}
	return report(SrcJobs, items)
}

// IndexLinux: unhealthy is Crit while a guarded Mercari check could still
// run from cron; once those are paused it is a warning to restart it.
func IndexLinux(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	t := cfg.T
	ok, why := health.IndexLinuxOn(ctx, cfg, hosts)
	if ok {
		return report(SrcIndexLinux, nil)
	}
	if guardedPaused(ctx, cfg, hosts) {
		return report(SrcIndexLinux, []attention.Item{{Severity: attention.Warn, Key: "i", Area: attention.AreaServices,
			Text: fmt.Sprintf(t("index-linux unhealthy (%s); the Mercari checks are paused", "index-linux 異常（%s）。メルカリのチェックは停止中"), why)}})
	}
	return report(SrcIndexLinux, []attention.Item{{Severity: attention.Crit, Key: "p", Area: attention.AreaJobs,
		Text: fmt.Sprintf(t("index-linux unhealthy (%s): Mercari checks dangerous: pause them", "index-linux 異常（%s）: メルカリのチェックは危険。停止して"), why)}})
}

// guardedPaused is true when no guarded job has an active crontab line.
func guardedPaused(ctx context.Context, cfg *config.Config, hosts *host.Registry) bool {
	h, err := hosts.Get(cfg.Host)
	if err != nil {
		return false
	}
	tab, err := crontab.Load(ctx, h, cfg.Crontab.Path)
	if err != nil {
		return false
	}
	for _, name := range cfg.Guard.Jobs {
		switch tab.JobState(name) {
		case crontab.StateActive, crontab.StateMixed:
			return false
		}
	}
	return true
}

// Services: down is Crit, degraded (a pm2 app with the wrong env, a unit
// activating) a warning, a state that could not be read Unknown.
func Services(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	t := cfg.T
	var items []attention.Item
	// Services read with one systemctl call fail together: one line per
	// distinct reason, naming them all.
	var unread []string
	unreadBy := map[string][]string{}
	for _, s := range services.StatusAll(ctx, cfg, hosts) {
		where := s.Name
		if !host.IsLocalName(s.Host) {
			where += "@" + s.Host
		}
		switch s.State {
		case services.Down:
			items = append(items, attention.Item{Severity: attention.Crit, Key: "s", Area: attention.AreaServices,
				Text: fmt.Sprintf(t("service %s is down (%s)", "サービス %s 停止中（%s）"), where, s.Detail)})
		case services.Degraded:
			items = append(items, attention.Item{Severity: attention.Warn, Key: "R", Area: attention.AreaServices,
				Text: fmt.Sprintf(t("service %s degraded (%s)", "サービス %s 不調（%s）"), where, s.Detail)})
		case services.Unknown:
			if unreadBy[s.Detail] == nil {
				unread = append(unread, s.Detail)
			}
			unreadBy[s.Detail] = append(unreadBy[s.Detail], where)
		}
	}
	for _, d := range unread {
		items = append(items, couldNotRun(SrcServices, fmt.Sprintf("%s: %s", strings.Join(unreadBy[d], ", "), d)))
	}
	return report(SrcServices, items)
}

// Probes: an in-house service (the CAPTCHA solver) that does not answer,
// or answers slower than thresholds.probe_slow_seconds, is a warning.
// index-linux's health URL failing is the index-linux check's to report.
func Probes(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report {
	t := cfg.T
	slow := time.Duration(cfg.Thresholds.ProbeSlowSeconds * float64(time.Second))
	var items []attention.Item
	for _, r := range health.ProbeAll(ctx, cfg.Probes) {
		switch {
		case !r.OK && r.URL == cfg.IndexLinux.HealthURL:
		case !r.OK:
			items = append(items, attention.Item{Severity: attention.Warn, Area: attention.AreaServices,
				Text: fmt.Sprintf(t("%s unreachable: %s", "%s に到達できない: %s"), r.Name, r.Err)})
		case slow > 0 && r.Latency > slow:
			items = append(items, attention.Item{Severity: attention.Warn, Area: attention.AreaServices,
				Text: fmt.Sprintf(t("%s slow: answered in %s (threshold %s)", "%s が遅い: 応答 %s（閾値 %s）"),
					r.Name, human.DurationT(t, r.Latency), human.DurationT(t, slow))})
		}
	}
	return report(SrcProbes, items)
}

// missedItem is a missed run: R runs it now (a catch-up, on the Overview
// too), unless the checks before a start refuse it now (the guard, the
// Amazon hold, a run going): then the item says why.
func missedItem(ctx context.Context, cfg *config.Config, h host.Host, job string, m *jobs.Missed) attention.Item {
	t := cfg.T
	text := fmt.Sprintf(t("%s MISSED its %s run (%s)", "%s の %s の実行が抜けています（%s）"), job, m.At.Local().Format("01-02 15:04"), m.Reason)
	switch err := catchup.Check(ctx, h, cfg, job); {
	case err != nil:
		text += t("; not run now: ", "。今は実行しません: ") + err.Error()
	case cfg.Watch.CatchUp == "auto":
		text += fmt.Sprintf(t("; richsops watch runs it once the box is up %s", "。起動から %s たつと richsops watch が実行します"), human.DurationT(t, cfg.Watch.CatchUpAfter.Duration))
	default:
		text += t(": run the missed check now", ": 抜けたチェックを今すぐ実行")
	}
	return attention.Item{Severity: attention.Crit, Key: "R", Area: attention.AreaJobs, Subject: job, Text: text}
}
