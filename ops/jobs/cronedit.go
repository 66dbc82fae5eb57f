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
	return cronAction(ctx, h, cfg, job, "jobs.pause", kill, wait, func(f *crontab.File) (crontab.Edit, error) { return f.Pause(job) })
}

// ResumeAction restores the lines richsops paused and reloads cron.
func ResumeAction(ctx context.Context, h host.Host, cfg *config.Config, job string) (gate.Action, error) {
	return cronAction(ctx, h, cfg, job, "jobs.resume", false, 0, func(f *crontab.File) (crontab.Edit, error) { return f.Resume(job) })
}

// WrapAction puts `self jobs exec NAME --` before the job's command in its
// crontab lines (unwrap: takes it out again), so that cron's runs record
// their exit code; the same edit path as pause, byte-exact.
func WrapAction(ctx context.Context, h host.Host, cfg *config.Config, job, self string, unwrap bool) (gate.Action, error) {
	if unwrap {
		return cronAction(ctx, h, cfg, job, "jobs.unwrap", false, 0, func(f *crontab.File) (crontab.Edit, error) { return f.Unwrap(job) })
	}
	return cronAction(ctx, h, cfg, job, "jobs.wrap", false, 0, func(f *crontab.File) (crontab.Edit, error) { return f.Wrap(self, job) })
}

func cronAction(ctx context.Context, h host.Host, cfg *config.Config, job, name string, kill bool, wait time.Duration, edit func(*crontab.File) (crontab.Edit, error)) (gate.Action, error) {
	if _, err := configuredJob(cfg, job); err != nil {
		return gate.Action{}, err
	}
	path := cfg.Crontab.Path
	f, err := crontab.Load(ctx, h, path)
	if err != nil {
		return gate.Action{}, err
	}
	f.T = cfg.T
	e, err := edit(f)
	if err != nil {
		return gate.Action{}, err
	}
	t := cfg.T
	preview := []string{fmt.Sprintf(t("edit %s (atomic, backup kept, refused if changed meanwhile):",
		"%s を編集（一時ファイル経由で置換、バックアップあり、途中で変更されていたら中止）:"), path)}
	line := t("  line %d %s %s", "  %d 行目 %s %s")
	for _, c := range e.Changed {
		preview = append(preview, fmt.Sprintf(line, c.Num, "-", c.From), fmt.Sprintf(line, c.Num, "+", c.To))
	}
	if len(cfg.Crontab.Reload) > 0 {
		preview = append(preview, t("then: ", "続けて: ")+host.ShellQuote(cfg.Crontab.Reload))
	}
	var kp *gate.Action
	if kill {
		if ka, err := KillAction(ctx, h, cfg, job, 0, wait); err == nil {
			kp = &ka
			preview = append(preview, t("and stop its running processes:", "実行中のプロセスも停止:"))
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
			summary := t("%s paused (%d line(s))", "%s を停止しました（%d 行）")
			switch name {
			case "jobs.resume":
				summary = t("%s resumed (%d line(s))", "%s を再開しました（%d 行）")
			case "jobs.wrap":
				summary = t("%s wrapped in richsops jobs exec (%d line(s))", "%s を richsops jobs exec 経由にしました（%d 行）")
			case "jobs.unwrap":
				summary = t("%s unwrapped (%d line(s))", "%s を richsops jobs exec 経由から戻しました（%d 行）")
			}
			out.Summary = fmt.Sprintf(summary, job, len(e.Changed))
			out.Details = append(out.Details, fmt.Sprintf(t("%s written; backup %s", "%s を書き込みました（バックアップ %s）"), path, backup))
			if err := crontab.Reload(ctx, h, cfg.Crontab.Reload); err != nil {
				out.Details = append(out.Details, fmt.Sprintf(t("reload failed: %v (cronie also picks up the changed file by itself within a minute)",
					"リロードに失敗: %v（cronie は変更されたファイルを 1 分以内に自分で読み込みます）"), err))
				out.Summary += t("; reload failed", "。リロードに失敗しました")
				return out, config.Errorf(t, "crontab written, but reload failed: %w", "crontab は書き込みましたが、リロードに失敗しました: %w", err)
			}
			out.Details = append(out.Details, t("reloaded: ", "リロードしました: ")+host.ShellQuote(cfg.Crontab.Reload))
			if kp != nil {
				ko, err := kp.Run(ctx)
				out.Details = append(out.Details, ko.Details...)
				if err != nil {
					return out, err
				}
				out.Summary += t("; ", "。") + ko.Summary
			}
			return out, nil
		},
	}, nil
}
