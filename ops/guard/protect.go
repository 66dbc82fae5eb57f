package guard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/services"
)

// StopWord is what the operator types to stop index-linux or mysqld.
const StopWord = "STOP"

// Risk is what stopping or restarting a service puts at risk: the guarded
// (Mercari) checks running now or scheduled, which withdraw every Mercari
// item from Amazon while index-linux, its Redis or the database is down.
type Risk struct {
	Service string
	Jobs    []JobRisk
}

// JobRisk is one guarded job at risk.
type JobRisk struct {
	Name  string
	Procs []jobs.Proc // running now
	Next  time.Time   // its next scheduled run; zero = none
}

// role is what a service is to the Mercari checks: "index-linux",
// "redis" (the one index-linux uses) or "mysqld"; "" = none of these.
func role(cfg *config.Config, name string) string {
	switch {
	case name == services.IndexLinuxSpec(cfg).Name:
		return "index-linux"
	case name == cfg.IndexLinux.RedisService:
		return "redis"
	}
	if s, ok := cfg.Service(name); ok && (slices.Contains([]string{"mysqld", "mariadb"}, s.Unit) || name == "mysqld") {
		return "mysqld"
	}
	return ""
}

// Endangers reports whether doing v to the named service can hurt the
// Mercari checks (a stop or restart of index-linux, Redis or mysqld).
func Endangers(cfg *config.Config, name string, v services.Verb) bool {
	return (v == services.Stop || v == services.Restart) && role(cfg, name) != ""
}

// RiskOf lists the guarded jobs (guard.jobs) on cfg.Host that run now or
// are scheduled, when doing v to the service endangers them.
func RiskOf(ctx context.Context, cfg *config.Config, hosts *host.Registry, name string, v services.Verb) (Risk, error) {
	r := Risk{Service: name}
	if !Endangers(cfg, name, v) {
		return r, nil
	}
	h, err := hosts.Get(cfg.Host)
	if err != nil {
		return r, err
	}
	sts, err := jobs.Snapshot(ctx, h, cfg, time.Now())
	if err != nil {
		return r, err
	}
	for _, s := range sts {
		if !slices.Contains(cfg.Guard.Jobs, s.Name) || (len(s.Procs) == 0 && s.Next.IsZero()) {
			continue
		}
		r.Jobs = append(r.Jobs, JobRisk{Name: s.Name, Procs: s.Procs, Next: s.Next})
	}
	return r, nil
}

// Lines say what is at risk, in t's language (nil = English).
func (r Risk) Lines(t func(en, ja string) string, now time.Time) []string {
	tr := func(en, ja string) string { return config.Tr(t, en, ja) }
	var out []string
	for _, j := range r.Jobs {
		var parts []string
		if len(j.Procs) > 0 {
			parts = append(parts, fmt.Sprintf(tr("RUNNING now (pid %s)", "現在実行中（pid %s）"), jobs.PIDList(j.Procs)))
		}
		if !j.Next.IsZero() {
			parts = append(parts, fmt.Sprintf(tr("next run %s (in %s)", "次回 %s（%s後）"), j.Next.Format("01-02 15:04"), human.DurationT(tr, j.Next.Sub(now))))
		}
		out = append(out, fmt.Sprintf(tr("ENDANGERS %s: %s; while %s is down it withdraws every Mercari item from Amazon",
			"危険 %s: %s。%s の停止中に実行されるとメルカリの商品がすべて Amazon から取り下げられます"), j.Name, strings.Join(parts, tr(", ", "、")), r.Service))
	}
	return out
}

// Protect is the service action svc made safe: its preview first says
// what it endangers; stopping index-linux or mysqld asks for StopWord;
// with pause, the jobs at risk are paused (their running processes
// stopped, as guard does) before the service is touched, in the same
// action, each step's result in the details. A pause that fails leaves the
// service alone.
func Protect(ctx context.Context, cfg *config.Config, hosts *host.Registry, svc gate.Action, v services.Verb, r Risk, pause bool, wait time.Duration) (gate.Action, error) {
	t := cfg.T
	a := svc
	if v == services.Stop && slices.Contains([]string{"index-linux", "mysqld"}, role(cfg, r.Service)) && a.Danger == "" {
		a.Danger = StopWord
	}
	a.Preview = append(r.Lines(t, time.Now()), svc.Preview...)
	if !pause || len(r.Jobs) == 0 {
		return a, nil
	}
	h, err := hosts.Get(cfg.Host)
	if err != nil {
		return a, err
	}
	var plans []Plan
	var first []string
	for _, j := range r.Jobs {
		p, err := StopPlan(ctx, cfg, h, j.Name, wait, gate.ActorGuard)
		if err != nil {
			return a, err
		}
		plans = append(plans, p)
		if p.Note != "" {
			first = append(first, j.Name+": "+p.Note)
		}
		if p.Action != nil {
			first = append(first, p.Action.Preview...)
		}
	}
	a.Preview = append(r.Lines(t, time.Now()), t("first, pause the Mercari check:", "先にメルカリのチェックを停止:"))
	a.Preview = append(a.Preview, first...)
	a.Preview = append(a.Preview, t("then:", "続けて:"))
	a.Preview = append(a.Preview, svc.Preview...)
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		var out gate.Outcome
		for _, p := range plans {
			if p.Action == nil {
				continue
			}
			o, err := p.Action.Run(ctx)
			out.Details = append(out.Details, o.Summary)
			out.Details = append(out.Details, o.Details...)
			if err != nil {
				out.Summary = fmt.Sprintf(t("%s not touched: pausing %s failed", "%s は操作していません: %s の停止に失敗"), r.Service, p.Action.Target)
				return out, err
			}
		}
		o, err := svc.Run(ctx)
		out.Summary = o.Summary
		out.Details = append(out.Details, o.Details...)
		return out, err
	}
	return a, nil
}

// Variants is what the Services tab and `svc stop|restart` offer for a
// stop or restart of the named service: plain says what it endangers (or
// that this could not be checked) and asks for StopWord where it must;
// paused, set when a Mercari check is at risk, pauses it first in the same
// step. r is the risk found.
func Variants(ctx context.Context, cfg *config.Config, hosts *host.Registry, name string, v services.Verb, svc gate.Action, wait time.Duration) (plain gate.Action, paused *gate.Action, r Risk, err error) {
	r, rerr := RiskOf(ctx, cfg, hosts, name, v)
	if rerr != nil {
		r = Risk{Service: name} // the typed word still applies
	}
	plain, err = Protect(ctx, cfg, hosts, svc, v, r, false, wait)
	if err != nil {
		return plain, nil, r, err
	}
	if rerr != nil {
		// Say so rather than say nothing: the check may be at risk.
		plain.Preview = append([]string{fmt.Sprintf(cfg.T("could not check the Mercari checks: %v", "メルカリのチェックを確認できません: %v"), rerr)}, plain.Preview...)
		return plain, nil, r, nil
	}
	if len(r.Jobs) == 0 {
		return plain, nil, r, nil
	}
	if p, err := Protect(ctx, cfg, hosts, svc, v, r, true, wait); err == nil {
		paused = &p
	}
	return plain, paused, r, nil
}
