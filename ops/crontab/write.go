package crontab

import (
	"bytes"
	"context"
	"os"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// Load reads and parses the crontab at path on h.
func Load(ctx context.Context, h host.Host, path string) (*File, error) {
	data, err := h.ReadFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return Parse(data), nil
}

// SafeMode is the mode a system crontab gets: cronie ignores one with group
// or other write or any exec bit, so 0644, or the old mode when it is
// stricter (a subset of 0644, such as 0600).
func SafeMode(old os.FileMode) os.FileMode {
	old = old.Perm()
	if old != 0 && old&^0o644 == 0 {
		return old
	}
	return 0o644
}

// editOpts is how an edit is written: mode by SafeMode, root as owner
// when the host's editor runs as root (cronie wants it; the group stays),
// else the old file's owner, and a backup.
func editOpts(t func(en, ja string) string) host.EditOpts {
	return host.EditOpts{Backup: true, Mode: SafeMode, RootOwner: true, T: t}
}

// Apply writes an edit through the host's locked edit and returns the
// backup's path. Under the lock it applies the edit's own change (pause or
// resume of its job) to the file as it is then, so an edit of another job
// that finished meanwhile is kept; if the job's lines now change
// differently from the preview, nothing is written.
func Apply(ctx context.Context, h host.Host, path string, e Edit) (string, error) {
	fi, err := h.Stat(ctx, path)
	if err != nil {
		return "", err
	}
	if fi.Mode&os.ModeType != 0 {
		return "", config.Errorf(e.T, "%s is not a regular file; cron would ignore it and richsops will not replace it",
			"%s は通常のファイルではありません: cron は読まず、richsops も置き換えません", path)
	}
	r, err := h.Edit(ctx, path, func(cur []byte) ([]byte, error) {
		if e.Check != nil {
			if err := e.Check(); err != nil {
				return nil, err
			}
		}
		if bytes.Equal(cur, e.Old) {
			return e.New, nil
		}
		if e.redo == nil {
			return nil, host.ChangedError(e.T, path)
		}
		f := Parse(cur)
		f.T = e.T
		again, err := e.redo(f)
		if err != nil {
			return nil, err
		}
		if !sameChanges(again.Changed, e.Changed) {
			return nil, config.Errorf(e.T, "%s: the job's lines changed since the preview; nothing written",
				"%s: プレビューの後にジョブの行が変わりました。何も書き込んでいません", path)
		}
		return again.New, nil
	}, editOpts(e.T))
	return r.Backup, err
}

// sameChanges: the same line texts before and after (their numbers may
// have moved with lines added or removed elsewhere).
func sameChanges(a, b []Change) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].From != b[i].From || a[i].To != b[i].To {
			return false
		}
	}
	return true
}

// Reload runs the configured reload command (systemctl reload crond).
func Reload(ctx context.Context, h host.Host, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	_, err := h.Run(ctx, host.Cmd{Argv: argv})
	return err
}
