package host

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
)

// EditDirs is where a host's locked edits keep their lock files and the
// backups of the files they replace. Both live on the host of the file, so
// every richsops process that edits it (console, CLI, guard, on this
// machine or over ssh) takes the same lock.
type EditDirs struct {
	Locks   string // flock(2) files, one per edited file
	Backups string // previous contents, never beside the file
	Keep    int    // newest backups kept per file; <1 = 20
}

// DirsOf is the EditDirs a config names (lock_dir, state_dir/backups,
// backup_keep).
func DirsOf(cfg *config.Config) EditDirs {
	return EditDirs{Locks: cfg.LockDir, Backups: cfg.BackupDir(), Keep: cfg.BackupKeep}
}

func (d EditDirs) keep() int {
	if d.Keep < 1 {
		return 20
	}
	return d.Keep
}

// DefaultLockWait bounds how long an edit waits for another richsops
// process's edit of the same file.
const DefaultLockWait = 30 * time.Second

// EditOpts controls Host.Edit.
type EditOpts struct {
	// Backup keeps the previous content in EditDirs.Backups.
	Backup bool
	// Mode maps the old file's permissions to the new file's; nil keeps
	// them. A file that did not exist gets Mode(0) or 0644 with nil.
	Mode func(old os.FileMode) os.FileMode
	// Owner of the new file; nil keeps the old file's owner and group.
	Owner *Owner
	// RootOwner makes root the new file's owner when the editor can (it
	// runs as root on the host), the group kept; else as Owner says. Each
	// Host knows who its editor is, the caller does not (cron wants root's).
	RootOwner bool
	// LockWait bounds the wait for the lock; 0 = DefaultLockWait.
	LockWait time.Duration
	// T is the language of the refusals (a Config's T; nil = English).
	T func(en, ja string) string
}

func (o EditOpts) lockWait() time.Duration {
	if o.LockWait <= 0 {
		return DefaultLockWait
	}
	return o.LockWait
}

// newMode is the mode of the written file given the old one (exists=false:
// a new file).
func (o EditOpts) newMode(old os.FileMode, exists bool) os.FileMode {
	if !exists {
		old = 0
	}
	if o.Mode != nil {
		if m := o.Mode(old.Perm()).Perm(); m != 0 {
			return m
		}
	}
	if !exists {
		return 0o644
	}
	return old.Perm()
}

// newOwner is uid and gid of the written file; -1 keeps (or, for a new
// file, leaves the writer's). asRoot: the editor runs as root.
func (o EditOpts) newOwner(uid, gid int, asRoot bool) (int, int) {
	if o.RootOwner && asRoot {
		return 0, gid
	}
	if o.Owner != nil {
		if o.Owner.UID >= 0 {
			uid = o.Owner.UID
		}
		if o.Owner.GID >= 0 {
			gid = o.Owner.GID
		}
	}
	return uid, gid
}

// EditResult says what an edit did.
type EditResult struct {
	Path    string // the file written: the target when path was a symlink
	Backup  string // the backup's path; "" when none was kept
	Written bool   // false when the change left the content as it was
}

// ErrChanged refuses an edit: someone changed the file between the read
// under the lock and the rename.
var ErrChanged = errors.New("changed meanwhile, nothing written")

// ErrNoEditDirs is returned by Edit on a host built without EditDirs: no
// edit may run without a lock every richsops process honours.
var ErrNoEditDirs = errors.New("no lock folder configured for edits (lock_dir)")

// ChangedError is the refusal of an edit of path that found the file
// changed: it wraps ErrChanged, in t's language.
func ChangedError(t func(en, ja string) string, path string) error {
	return config.Translate(t, fmt.Errorf("%s: %w", path, ErrChanged), path+": 途中で誰かが変更しました。何も書き込んでいません")
}

func errLockBusy(t func(en, ja string) string, path string, wait time.Duration) error {
	return config.Errorf(t, "%s: another richsops edit held its lock for more than %s; nothing written",
		"%s: 別の richsops の編集が %s 以上ロックを保持しています。何も書き込んでいません", path, wait)
}

// tempPrefix names the temp files of an edit of base in its folder: any
// of them seen under the lock was left by a killed writer.
func tempPrefix(base string) string { return "." + base + ".richsops-tmp-" }

// editKey names the lock and backup files of the file at real (an
// absolute path without symlinks): the path with "%" and "/" escaped,
// cut and hashed when too long. The SSH edit script computes the same key,
// so a richsops on the DB server and one reaching it over ssh share the
// lock.
func editKey(real string) string {
	k := strings.ReplaceAll(real, "%", "%25")
	k = strings.ReplaceAll(k, "/", "%2F")
	if len(k) > maxKey {
		sum := sha256.Sum256([]byte(real))
		k = k[:maxKeyCut] + "-" + hex.EncodeToString(sum[:])[:16]
	}
	return k
}

const (
	maxKey    = 200
	maxKeyCut = 100
	// stampLayout is the suffix of a backup file: sortable by name.
	stampLayout = "20060102-150405.000000000"
)

// backupStamp matches the suffix stampLayout writes (and `date
// +%Y%m%d-%H%M%S.%N` on a remote host).
var backupStamp = regexp.MustCompile(`^[0-9]{8}-[0-9]{6}\.[0-9]{9}$`)

// isBackupOf is true for a backup file name of key.
func isBackupOf(name, key string) bool {
	rest, ok := strings.CutPrefix(name, key+".")
	return ok && backupStamp.MatchString(rest)
}

func errDir(path string) error {
	return fmt.Errorf("%s: is a folder; refusing to edit", path)
}

// Unchanged is the change of an edit planned on content old: new when the
// file (read under the lock) still holds old, else ChangedError.
func Unchanged(t func(en, ja string) string, path string, old, new []byte) func([]byte) ([]byte, error) {
	return func(cur []byte) ([]byte, error) {
		if !bytes.Equal(cur, old) {
			return nil, ChangedError(t, path)
		}
		return new, nil
	}
}
