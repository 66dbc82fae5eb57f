package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/richs/richsops/ops/host"
)

// stamp is the time in a backup's name: db-20260102-030405.sql.gz, and
// db-20260102-030405-2.sql.gz for a second backup taken in the same second.
const stamp = "20060102-150405"

// entry is one file of the backup folder that has our own name pattern,
// with the identity it had when listed (a removal re-checks it).
type entry struct {
	Name    string
	At      time.Time // when it was taken, from the name
	Seq     int       // 1 for the plain name, N for "-N"
	Partial bool
	Size    int64
	dev     uint64
	ino     uint64
	mtime   unix.Timespec
}

// parseName reads a name of ours; anything else is not ours to touch.
func parseName(n string) (entry, bool) {
	e := entry{Name: n, Seq: 1}
	s := n
	if strings.HasSuffix(s, Partial) {
		e.Partial, s = true, strings.TrimSuffix(s, Partial)
	}
	if !strings.HasPrefix(s, Prefix) || !strings.HasSuffix(s, Suffix) || len(s) < len(Prefix)+len(stamp)+len(Suffix) {
		return e, false
	}
	mid := s[len(Prefix) : len(s)-len(Suffix)]
	at, err := time.ParseInLocation(stamp, mid[:len(stamp)], time.Local)
	if err != nil || at.Format(stamp) != mid[:len(stamp)] { // not a time a backup was taken at (a DST gap)
		return e, false
	}
	e.At = at
	if rest := mid[len(stamp):]; rest != "" {
		seq, err := strconv.Atoi(strings.TrimPrefix(rest, "-"))
		if err != nil || seq < 2 || rest != "-"+strconv.Itoa(seq) {
			return e, false
		}
		e.Seq = seq
	}
	return e, true
}

// FileName is the name of the first backup taken at at (what the demo
// seeds, so its backups are rotated and listed as real ones).
func FileName(at time.Time) string { return fileName(at, 1) }

// fileName is the finished backup's name taken at at, the seq'th that second.
func fileName(at time.Time, seq int) string {
	s := Prefix + at.Format(stamp)
	if seq > 1 {
		s += "-" + strconv.Itoa(seq)
	}
	return s + Suffix
}

// older orders by the time taken, then by the sequence within a second.
func older(a, b entry) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.Seq < b.Seq
}

// openDir opens a folder for listing, locking and removing relative to it.
// A configured folder that is itself a symlink (the backups on a bigger
// disk) is resolved first, like the folders above it; what the descriptor
// protects against is a file in it swapped for a link, and the O_NOFOLLOW
// stops a swap of the folder between resolving and opening.
func openDir(dir string) (*os.File, error) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// listDir lists the regular files of dir that have our name pattern:
// finished backups oldest first, and partial files. A missing folder is
// empty (nothing was created yet).
func listDir(dir string) (done, partial []entry, err error) {
	d, err := openDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		e, ok := parseName(n)
		if !ok {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(int(d.Fd()), n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			continue // gone meanwhile
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		e.Size, e.dev, e.ino, e.mtime = st.Size, uint64(st.Dev), st.Ino, st.Mtim
		if e.Partial {
			partial = append(partial, e)
		} else {
			done = append(done, e)
		}
	}
	sort.Slice(done, func(i, j int) bool { return older(done[i], done[j]) })
	return done, partial, nil
}

// removeBackupFiles removes the listed files of dir through the safe remove
// (the folder opened O_NOFOLLOW|O_DIRECTORY, each file's identity checked
// against the listing before unlinkat): a file swapped or changed since it
// was listed stays, and stops the removal.
func removeBackupFiles(dir string, files []entry) ([]string, error) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // a symlinked backup folder is resolved once, as openDir does
	}
	var removed []string
	for _, e := range files {
		want := host.Identity{Dev: e.dev, Ino: e.ino, Size: e.Size, ModTime: time.Unix(e.mtime.Unix())}
		if err := (&host.Local{}).RemoveUnder(context.Background(), dir, e.Name, want); err != nil {
			return removed, fmt.Errorf("%s: %w; not removed", filepath.Join(dir, e.Name), err)
		}
		removed = append(removed, filepath.Join(dir, e.Name))
	}
	return removed, nil
}

// errBusy: another backup into the same folder runs.
var errBusy = errors.New("busy")

// lockBackupDir takes the one lock of a backup folder (flock on the folder
// itself): backups into one folder run one at a time, and whoever holds it
// knows that any partial file there was left by a crash.
func lockBackupDir(dir string) (unlock func(), err error) {
	d, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(d.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, &os.PathError{Op: "flock", Path: dir, Err: err}
	}
	return func() { d.Close() }, nil
}

// Rotate removes the oldest finished backups of dir beyond keep (keep < 1
// keeps all). Only files of our own name pattern count, ordered by the time
// in their names; keepName (the backup just written) is never removed and
// counts as one of the kept.
func Rotate(dir string, keep int, keepName string) ([]string, error) {
	done, _, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	removed, err := removeBackupFiles(dir, rotation(done, keep, keepName))
	removeMeta(removed)
	return removed, err
}

// rotation picks the backups that go: all but the newest keep, where
// keepName always stays and takes one of the places.
func rotation(done []entry, keep int, keepName string) []entry {
	if keep < 1 {
		return nil
	}
	var others []entry
	kept := 0
	for _, e := range done {
		if e.Name == keepName {
			kept = 1
		} else {
			others = append(others, e)
		}
	}
	n := len(others) - (keep - kept)
	if n <= 0 {
		return nil
	}
	return others[:n]
}

// File is one backup in the folder, as the Database tab lists it.
type File struct {
	Name string    `json:"name"`
	Size int64     `json:"size_bytes"`
	At   time.Time `json:"at"` // when it was taken, from the name
	// Verified: a finished backup, which gets its name only after the
	// dump exited 0 and the read-back of the whole gzip stream passed; a
	// partial file was not (a backup running now, or left by a crash).
	Verified bool `json:"verified"`
	// Binlog is the binary-log position recorded beside it (nil: none);
	// MetaErr says why its metadata could not be read.
	Binlog  *Position `json:"binlog"`
	MetaErr string    `json:"metadata_error,omitempty"`
}

// List is the backups of dir newest first, partial files among them: only
// files of our own name pattern (what rotation would count). A missing
// folder has none.
func List(dir string) ([]File, error) {
	done, partial, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	all := append(done, partial...)
	sort.SliceStable(all, func(i, j int) bool { return older(all[j], all[i]) })
	out := make([]File, 0, len(all))
	for _, e := range all {
		out = append(out, File{Name: e.Name, Size: e.Size, At: e.At, Verified: !e.Partial})
	}
	listMeta(dir, out)
	return out, nil
}
