package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Edit is the locked edit of a local file: it takes the file's flock in
// the lock folder, removes temp files a killed writer left, reads the file,
// applies change to what it read, writes a temp file beside it (mode and
// owner kept), fsyncs it, keeps a backup, compares the file with what it
// read once more and renames the temp file over it, then fsyncs the folder.
// A symlink is resolved: its target is edited and the link stays a link.
// change returning an error leaves everything as it was.
func (l *Local) Edit(ctx context.Context, path string, change func(old []byte) ([]byte, error), o EditOpts) (EditResult, error) {
	if l.dirs.Locks == "" {
		return EditResult{}, ErrNoEditDirs
	}
	if err := refuseRealDirs(l.dirs.Locks, l.dirs.Backups); err != nil {
		return EditResult{}, err
	}
	real, err := resolveTarget(path)
	if err != nil {
		return EditResult{}, err
	}
	res := EditResult{Path: real}
	key := editKey(real)
	unlock, err := LockFile(ctx, l.dirs.Locks, key+".lock", o.lockWait())
	if errors.Is(err, ErrLockTimeout) {
		return res, errLockBusy(o.T, path, o.lockWait())
	}
	if err != nil {
		return res, err
	}
	defer unlock()

	dir, base := filepath.Split(real)
	removeStaleTemps(dir, base)
	old, err := os.ReadFile(real)
	exists := err == nil
	if err != nil && !os.IsNotExist(err) {
		return res, err
	}
	var mode os.FileMode
	uid, gid := -1, -1
	if exists {
		fi, err := os.Stat(real)
		if err != nil {
			return res, err
		}
		if !fi.Mode().IsRegular() {
			return res, fmt.Errorf("%s: not a regular file; refusing to edit", path)
		}
		mode = fi.Mode()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	}
	data, err := change(old)
	if err != nil {
		return res, err
	}
	if exists && bytes.Equal(data, old) {
		return res, nil
	}
	uid, gid = o.newOwner(uid, gid, os.Geteuid() == 0)

	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return res, err
	}
	tmpName := tmp.Name()
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return res, err
	}
	if err := tmp.Chmod(o.newMode(mode, exists)); err != nil {
		return res, err
	}
	if uid >= 0 || gid >= 0 {
		if err := tmp.Chown(uid, gid); err != nil && !os.IsPermission(err) {
			return res, err
		}
	}
	if err := tmp.Sync(); err != nil {
		return res, err
	}
	if err := tmp.Close(); err != nil {
		return res, err
	}
	if exists && o.Backup {
		if res.Backup, err = l.backup(key, old); err != nil {
			return res, fmt.Errorf("backup of %s: %w", path, err)
		}
	}
	// The last look: a writer that does not take our lock (an operator's
	// editor, echo >>) changed the file since the read.
	cur, err := os.ReadFile(real)
	if exists != (err == nil) || err != nil && !os.IsNotExist(err) || !bytes.Equal(cur, old) {
		return res, ChangedError(o.T, path)
	}
	if err := os.Rename(tmpName, real); err != nil {
		return res, err
	}
	done = true
	res.Written = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return res, nil
}

// resolveTarget is path with every symlink resolved, so the edit replaces
// the target and never the link. A file that does not exist yet resolves
// through its folder.
func resolveTarget(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if os.IsNotExist(err) {
		if _, lerr := os.Lstat(abs); lerr == nil {
			return "", fmt.Errorf("%s: a symlink to a missing file; refusing to edit", path)
		}
		var dir string
		if dir, err = filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			real = filepath.Join(dir, filepath.Base(abs))
		}
	}
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(real); err == nil && fi.IsDir() {
		return "", errDir(path)
	}
	return real, nil
}

// removeStaleTemps removes the temp files of base in dir. Called under
// the lock: every writer holds it while its temp file exists, so any found
// now was left by a killed one.
func removeStaleTemps(dir, base string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), tempPrefix(base)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// backup writes old as the newest backup of key and removes all but the
// newest Keep.
func (l *Local) backup(key string, old []byte) (string, error) {
	dir := l.dirs.Backups
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := filepath.Join(dir, key+"."+time.Now().Format(stampLayout))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.Write(old)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return name, nil
	}
	var mine []string
	for _, e := range ents {
		if isBackupOf(e.Name(), key) {
			mine = append(mine, e.Name())
		}
	}
	sort.Strings(mine)
	for len(mine) > l.dirs.keep() {
		os.Remove(filepath.Join(dir, mine[0]))
		mine = mine[1:]
	}
	return name, nil
}
