package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// PauseAction comments out the job's crontab lines, reloads cron and, with
// kill, stops its running processes in the same confirmed step.
func PauseAction(ctx context.Context, h host.Host, cfg *config.Config, job string, kill bool, wait time.Duration) (gate.Action, error) {
	return cronAction(ctx, h, cfg, job, "jobs.pause", kill, wait)
}

// ResumeAction restores the lines richsops paused and reloads cron.
func ResumeAction(ctx context.Context, h host.Host, cfg *config.Config, job string) (gate.Action, error) {
	return cronAction(ctx, h, cfg, job, "jobs.resume", false, 0)
}

func cronAction(ctx context.Context, h host.Host, cfg *config.Config, job, name string, kill bool, wait time.Duration) (gate.Action, error) {
	if _, ok := cfg.Job(job); !ok {
		return gate.Action{}, fmt.Errorf("%s: not a configured job", job)
	}
	path := cfg.Crontab.Path
	f, err := crontab.Load(ctx, h, path)
	if err != nil {
		return gate.Action{}, err
	}
	var e crontab.Edit
	if name == "jobs.pause" {
		e, err = f.Pause(job)
	} else {
		e, err = f.Resume(job)
	}
	if err != nil {
		return gate.Action{}, err
	}
	preview := []string{fmt.Sprintf("edit %s (atomic, backup kept, refused if changed meanwhile):", path)}
	for _, c := range e.Changed {
		preview = append(preview, fmt.Sprintf("  line %d - %s", c.Num, c.From), fmt.Sprintf("  line %d + %s", c.Num, c.To))
	}
	if len(cfg.Crontab.Reload) > 0 {
		preview = append(preview, "then: "+host.ShellQuote(cfg.Crontab.Reload))
	}
	var kp *gate.Action
	if kill {
		if ka, err := KillAction(ctx, h, cfg, job, 0, wait); err == nil {
			kp = &ka
			preview = append(preview, "and stop its running processes:")
			preview = append(preview, ka.Preview...)
		}
	}
	return gate.Action{
		Name: name, Target: job, Host: h.Name(), Argv: cfg.Crontab.Reload, Preview: preview,
		Run: func(ctx context.Context) (gate.Outcome, error) {
			var out gate.Outcome
			backup, err := crontab.Apply(ctx, h, path, e)
			if err != nil {
				return out, err
			}
			verb := map[string]string{"jobs.pause": "paused", "jobs.resume": "resumed"}[name]
			out.Summary = fmt.Sprintf("%s %s (%d line(s))", job, verb, len(e.Changed))
			out.Details = append(out.Details, fmt.Sprintf("%s written; backup %s", path, backup))
			if err := crontab.Reload(ctx, h, cfg.Crontab.Reload); err != nil {
				out.Details = append(out.Details, "reload failed: "+err.Error()+" (cronie also picks up the changed file by itself within a minute)")
				out.Summary += "; reload failed"
				return out, fmt.Errorf("crontab written, but reload failed: %w", err)
			}
			out.Details = append(out.Details, "reloaded: "+host.ShellQuote(cfg.Crontab.Reload))
			if kp != nil {
				ko, err := kp.Run(ctx)
				out.Details = append(out.Details, ko.Details...)
				if err != nil {
					return out, err
				}
				out.Summary += "; " + ko.Summary
			}
			return out, nil
		},
	}, nil
}
