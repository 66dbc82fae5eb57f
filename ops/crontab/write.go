package crontab

import (
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

// WriteOpts is how an edit is written.
func WriteOpts(h host.Host, old host.FileInfo, prev []byte) host.AtomicOpts {
	o := host.AtomicOpts{IfUnchanged: prev, Backup: true, Mode: SafeMode(old.Mode)}
	if h.IsLocal() && os.Geteuid() == 0 {
		// cronie wants root as owner; the group stays.
		o.Owner = &host.Owner{UID: 0, GID: -1}
	}
	return o // else the old file's owner stays
}

// Apply writes an edit atomically (temp file in the same folder, fsync,
// rename), refusing if the file no longer holds e.Old, keeping a backup.
// It returns the backup's path.
func Apply(ctx context.Context, h host.Host, path string, e Edit) (string, error) {
	fi, err := h.Stat(ctx, path)
	if err != nil {
		return "", err
	}
	if fi.Mode&os.ModeType != 0 {
		return "", config.Errorf(e.T, "%s is not a regular file; cron would ignore it and richsops will not replace it",
			"%s は通常のファイルではありません: cron は読まず、richsops も置き換えません", path)
	}
	return h.WriteFileAtomic(ctx, path, e.New, WriteOpts(h, fi, e.Old))
}

// Reload runs the configured reload command (systemctl reload crond).
func Reload(ctx context.Context, h host.Host, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	_, err := h.Run(ctx, host.Cmd{Argv: argv})
	return err
}
