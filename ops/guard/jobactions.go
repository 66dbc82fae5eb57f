package guard

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// JobActions acts on the jobs' crontab and processes on h (where cron runs
// the stock checks), with the same audited actions as the Jobs tab.
// wait is how long a process gets between SIGTERM and SIGKILL.
func JobActions(cfg *config.Config, h host.Host, wait time.Duration) Actions {
	return Actions{
		Stop: func(ctx context.Context, job string) (Plan, error) {
			return StopPlan(ctx, cfg, h, job, wait, gate.ActorGuard)
		},
		Resume: func(ctx context.Context, job string) (Plan, error) {
			return resumePlan(ctx, cfg, h, job)
		},
	}
}

// StopPlan pauses the lines when they are all active (who, the actor that
// asks, then owns the pause); otherwise it leaves the crontab alone and
// only stops the running processes, so that it never takes over a pause it
// did not make. The guard and the brake share it.
func StopPlan(ctx context.Context, cfg *config.Config, h host.Host, job string, wait time.Duration, who string) (Plan, error) {
	procs, err := jobs.List(ctx, h, cfg, []string{job})
	if err != nil {
		return Plan{}, fmt.Errorf("processes: %w", err)
	}
	tab, tabErr := crontab.Load(ctx, h, cfg.Crontab.Path)
	if tabErr != nil {
		// Cannot pause: still stop what runs now.
		if len(procs) == 0 {
			return Plan{}, tabErr
		}
		a, err := jobs.KillAction(ctx, h, cfg, job, 0, wait)
		if err != nil {
			return Plan{}, fmt.Errorf("%v; and its processes: %w", tabErr, err)
		}
		return Plan{Action: &a}, tabErr
	}
	var note string
	switch st := tab.JobState(job); st {
	case crontab.StateActive:
		a, err := jobs.PauseAction(ctx, h, cfg, job, true, wait)
		if err != nil {
			return Plan{}, err
		}
		return Plan{Action: &a, Pauses: true}, nil
	case crontab.StatePaused, crontab.StateDisabled:
		note = fmt.Sprintf("crontab lines already %s, not by %s: left as they are (%[2]s will not resume them)", st, who)
	case crontab.StateMixed:
		note = fmt.Sprintf("some crontab lines paused, some ACTIVE: %s does not take over a half-done pause; pause it by hand (`richsops jobs resume` then `pause`)", who)
	default:
		note = "no crontab line runs it"
	}
	if len(procs) == 0 {
		return Plan{Note: note}, nil
	}
	a, err := jobs.KillAction(ctx, h, cfg, job, 0, wait)
	if err != nil {
		return Plan{Note: note}, err
	}
	return Plan{Action: &a, Note: note}, nil
}

// resumePlan resumes the lines guard paused; when none is paused any more
// (resumed by hand), there is nothing to do.
func resumePlan(ctx context.Context, cfg *config.Config, h host.Host, job string) (Plan, error) {
	tab, err := crontab.Load(ctx, h, cfg.Crontab.Path)
	if err != nil {
		return Plan{}, err
	}
	switch st := tab.JobState(job); st {
	case crontab.StatePaused, crontab.StateMixed:
	default:
		return Plan{Note: fmt.Sprintf("no longer paused (crontab lines %s): resumed by someone else; nothing to do", st)}, nil
	}
	a, err := jobs.ResumeAction(ctx, h, cfg, job)
	if err != nil {
		return Plan{}, err
	}
	return Plan{Action: &a}, nil
}

// New is the guard of a config: index-linux probed with a health.Prober,
// the guarded jobs acted on on h through g. threshold <= 0 and stateFile ""
// take the config's values.
func New(cfg *config.Config, hosts *host.Registry, h host.Host, g *gate.Gate, threshold int, stateFile string) *Guard {
	if threshold <= 0 {
		threshold = cfg.Guard.Threshold
	}
	if stateFile == "" {
		stateFile = cfg.Guard.StateFile
	}
	return &Guard{
		Jobs:       cfg.Guard.Jobs,
		Threshold:  threshold,
		AutoResume: cfg.Guard.AutoResume,
		ReadOnly:   cfg.ReadOnly || g.ReadOnly,
		StateFile:  stateFile,
		Probe:      (&health.Prober{Cfg: cfg, Hosts: hosts, PM2Every: cfg.Guard.PM2Every.Duration}).Probe,
		Actions:    JobActions(cfg, h, jobs.DefaultKillWait),
		Gate:       g,
	}
}
