package jobs

import (
	"context"
	"fmt"
	"slices"
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

// ResumeOwnAction is actor's resume of the pause it made: refused, under
// the crontab's lock, when the newest pause of the job is no longer
// actor's (ErrNotOwn): a job an operator paused meanwhile stays paused.
func ResumeOwnAction(ctx context.Context, h host.Host, cfg *config.Config, job, actor string) (gate.Action, error) {
	if err := ownedBy(ctx, cfg, h, job, actor); err != nil {
		return gate.Action{}, err
	}
	a, err := cronAction(ctx, h, cfg, job, "jobs.resume", false, 0, func(f *crontab.File) (crontab.Edit, error) {
		e, err := f.Resume(job)
		e.Check = func() error { return ownedBy(ctx, cfg, h, job, actor) }
		return e, err
	})
	a.Actor = actor
	return a, err
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
	var listed []Proc
	if kill {
		// Listed now for the preview; listed again when it runs (see
		// stopRunning), so a process started in between is stopped too.
		procs, err := killable(ctx, h, cfg, job)
		listed = procs
		switch {
		case err != nil:
			preview = append(preview, fmt.Sprintf(t("and stop its running processes (none now: %v; listed again when this runs):",
				"実行中のプロセスも停止（現在なし: %v。実行時にもう一度調べます）"), err))
		default:
			preview = append(preview, t("and stop its running processes (listed again when this runs):", "実行中のプロセスも停止（実行時にもう一度調べます）:"))
			preview = append(preview, killActionFor(h, job, procs, orDefault(wait), t).Preview...)
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
			// A failing reload stops nothing that follows: cronie re-reads a
			// changed crontab by itself, and the running check must still stop.
			var errs []error
			if err := crontab.Reload(ctx, h, cfg.Crontab.Reload); err != nil {
				out.Details = append(out.Details, fmt.Sprintf(t("reload failed: %v (cronie also picks up the changed file by itself within a minute)",
					"リロードに失敗: %v（cronie は変更されたファイルを 1 分以内に自分で読み込みます）"), err))
				out.Summary += t("; reload failed", "。リロードに失敗しました")
				errs = append(errs, config.Errorf(t, "crontab written, but reload failed: %w", "crontab は書き込みましたが、リロードに失敗しました: %w", err))
			} else if len(cfg.Crontab.Reload) > 0 {
				out.Details = append(out.Details, t("reloaded: ", "リロードしました: ")+host.ShellQuote(cfg.Crontab.Reload))
			}
			if kill {
				if err := stopRunning(ctx, h, cfg, job, listed, wait, &out); err != nil {
					errs = append(errs, err)
				}
			}
			switch len(errs) {
			case 1:
				return out, &WrittenError{errs[0]}
			case 2:
				return out, &WrittenError{config.Errorf(t, "%w; and %w", "%w。さらに %w", errs[0], errs[1])}
			}
			return out, nil
		},
	}, nil
}

// WrittenError is the error of a pause or resume whose crontab edit was
// written while a later step (the reload, the kill) failed: the crontab is
// as asked, so the guard still owns the pause it made.
type WrittenError struct{ Err error }

func (e *WrittenError) Error() string { return e.Err.Error() }
func (e *WrittenError) Unwrap() error { return e.Err }

// Written tells the gate the change was made (its audit record says so).
func (e *WrittenError) Written() bool { return true }

// English is the wrapped error's English twin, for the audit log.
func (e *WrittenError) English() string {
	if en, ok := e.Err.(interface{ English() string }); ok {
		return en.English()
	}
	return e.Err.Error()
}

// killable lists job's running processes that richsops may signal; an
// error says why there are none.
func killable(ctx context.Context, h host.Host, cfg *config.Config, job string) ([]Proc, error) {
	procs, err := List(ctx, h, cfg, []string{job})
	if err != nil {
		return nil, err
	}
	return mayKill(h, cfg, job, procs)
}

// stopRunning is the kill step of pause --kill: under the job's run-now
// lock (no richsops starts it meanwhile) it lists the job's processes as
// they are now, not as they were at the preview, and stops them, each
// identity re-checked before each signal; one not in listed (the preview's)
// is named as started since. Its lines go into out.
func stopRunning(ctx context.Context, h host.Host, cfg *config.Config, job string, listed []Proc, wait time.Duration, out *gate.Outcome) error {
	t := cfg.T
	unlock, err := LockRun(ctx, h, cfg, job)
	if err != nil {
		out.Details = append(out.Details, fmt.Sprintf(t("stopping its processes failed: %v", "プロセスの停止に失敗: %v"), err))
		return err
	}
	defer unlock()
	procs, err := killable(ctx, h, cfg, job)
	if err != nil {
		out.Details = append(out.Details, fmt.Sprintf(t("no process stopped: %v", "停止したプロセスはありません: %v"), err))
		return nil
	}
	for _, p := range procs {
		if !slices.ContainsFunc(listed, func(l Proc) bool { return l.PID == p.PID && l.StartKey == p.StartKey }) {
			out.Details = append(out.Details, fmt.Sprintf(t("pid %d started after the preview; stopped too", "pid %d はプレビューの後に開始しました。これも停止します"), p.PID))
		}
	}
	ko, err := killActionFor(h, job, procs, orDefault(wait), t).Run(ctx)
	out.Details = append(out.Details, ko.Details...)
	if err != nil {
		out.Details = append(out.Details, fmt.Sprintf(t("stopping its processes failed: %v", "プロセスの停止に失敗: %v"), err))
	}
	if ko.Summary != "" {
		out.Summary += t("; ", "。") + ko.Summary
	}
	return err
}
