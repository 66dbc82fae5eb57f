package host

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Identity is what a listed file was: the safe remove removes a file only if
// it still is this one. Dev and Ino say which file it is; Size and ModTime
// say it was not written since.
type Identity struct {
	Dev, Ino uint64
	Size     int64
	ModTime  time.Time
}

// Identity of a listed (Stat or ReadDir) file.
func (fi FileInfo) Identity() Identity {
	return Identity{Dev: fi.Dev, Ino: fi.Ino, Size: fi.Size, ModTime: fi.ModTime}
}

// Same compares every part, the time to the nanosecond.
func (id Identity) Same(o Identity) bool {
	return id.Dev == o.Dev && id.Ino == o.Ino && id.Size == o.Size && id.ModTime.Equal(o.ModTime)
}

// ErrNotSame is wrapped by RemoveUnder's error when the name no longer holds
// the listed regular file (gone, replaced, written, or not a regular file).
var ErrNotSame = errors.New("no longer the file that was listed")

// ErrSymlinkOnPath is wrapped by RemoveUnder's error when the root or a
// folder between it and the file is a symbolic link (or not a folder).
var ErrSymlinkOnPath = errors.New("a folder on the way is a symbolic link or not a folder")

// ErrOutside is wrapped by RemoveUnder's error when rel does not name a file
// below root ("..", an absolute path, an empty or "." part).
var ErrOutside = errors.New("not a path inside the root")

// relParts checks RemoveUnder's arguments and splits rel into its names.
func relParts(root, rel string) ([]string, error) {
	if !path.IsAbs(root) || path.Clean(root) != root {
		return nil, fmt.Errorf("%s: the root must be a clean absolute path: %w", root, ErrOutside)
	}
	if rel == "" || path.IsAbs(rel) || path.Clean(rel) != rel || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || strings.IndexByte(rel, 0) >= 0 {
		return nil, fmt.Errorf("%q under %s: %w", rel, root, ErrOutside)
	}
	return strings.Split(rel, "/"), nil
}

// dirFlags open a folder of the walk: never through a symbolic link.
const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC

// RemoveUnder is the safe remove on this machine: root is opened
// O_NOFOLLOW|O_DIRECTORY (the folders above it are the configuration's and
// trusted), each folder of rel is opened relative to the one before with the
// same flags, and the file is checked with fstatat(AT_SYMLINK_NOFOLLOW) and
// removed with unlinkat through the last descriptor. A folder swapped for a
// link at any moment makes the open fail; it never leads out of root. (No
// call unlinks "only if still this inode": a name replaced between fstatat
// and unlinkat, in that same folder, is the one window left, and it stays
// inside root.)
func (*Local) RemoveUnder(_ context.Context, root, rel string, want Identity) error {
	parts, err := relParts(root, rel)
	if err != nil {
		return err
	}
	fd, err := unix.Open(root, dirFlags, 0)
	if err != nil {
		return walkErr(root, err)
	}
	at := root
	for _, name := range parts[:len(parts)-1] {
		at = path.Join(at, name)
		next, err := unix.Openat(fd, name, dirFlags, 0)
		unix.Close(fd)
		if err != nil {
			return walkErr(at, err)
		}
		fd = next
	}
	defer unix.Close(fd)
	name := parts[len(parts)-1]
	full := path.Join(root, rel)
	var st unix.Stat_t
	if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%s: gone: %w", full, ErrNotSame)
		}
		return fmt.Errorf("%s: %w", full, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s: not a regular file: %w", full, ErrNotSame)
	}
	got := Identity{Dev: uint64(st.Dev), Ino: st.Ino, Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())}
	if !got.Same(want) {
		return fmt.Errorf("%s: %w", full, ErrNotSame)
	}
	if err := unix.Unlinkat(fd, name, 0); err != nil {
		return fmt.Errorf("%s: %w", full, err)
	}
	return nil
}

// walkErr: a link (ELOOP) or a non-folder (ENOTDIR) where a folder was
// opened is ErrSymlinkOnPath.
func walkErr(at string, err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		return fmt.Errorf("%s: %w", at, ErrSymlinkOnPath)
	}
	return fmt.Errorf("%s: %w", at, err)
}

// RemoveUnder is the safe remove on a remote box, one argv of GNU find:
// `find -P` walks with openat on folders opened O_NOFOLLOW (gnulib fts,
// FTS_PHYSICAL) and -delete is an unlinkat relative to the folder's
// descriptor, so a folder swapped for a link is never followed. The file
// must sit at rel's exact depth and path, on root's filesystem (-xdev, and
// root's device must be want's), and have the listed inode, size and
// modification time to the nanosecond; anything else deletes nothing. find
// walks every folder to that depth, so a folder swapped beside the path
// makes it complain, and the file is judged by what it printed.
func (s *SSH) RemoveUnder(ctx context.Context, root, rel string, want Identity) error {
	parts, err := relParts(root, rel)
	if err != nil {
		return err
	}
	full := path.Join(root, rel)
	fi, err := s.Stat(ctx, root)
	switch {
	case err != nil:
		return err
	case !fi.IsDir:
		return fmt.Errorf("%s: %w", root, ErrSymlinkOnPath)
	case fi.Dev != want.Dev:
		return fmt.Errorf("%s: on another filesystem: %w", full, ErrNotSame)
	}
	depth := strconv.Itoa(len(parts))
	before := want.ModTime.Add(-time.Nanosecond)
	argv := []string{"find", "-P", root, "-xdev", "-mindepth", depth, "-maxdepth", depth,
		"-path", globEscape(full), "-type", "f",
		"-inum", strconv.FormatUint(want.Ino, 10), "-size", strconv.FormatInt(want.Size, 10) + "c",
		"-newermt", epoch(before), "!", "-newermt", epoch(want.ModTime),
		"-delete", "-printf", "removed\\n"}
	res, err := s.Run(ctx, Cmd{Argv: argv, Env: map[string]string{"LC_ALL": "C"}})
	switch {
	case strings.TrimSpace(string(res.Stdout)) == "removed":
		return nil // find may also have met a folder swapped beside the path
	case err != nil:
		var ee *ExitError
		if errors.As(err, &ee) && (strings.Contains(ee.Stderr, "Not a directory") || strings.Contains(ee.Stderr, "Too many levels of symbolic links")) {
			return fmt.Errorf("%s: %w", full, ErrSymlinkOnPath)
		}
		return fmt.Errorf("host %s: remove %s: %w", s.name, full, err)
	}
	return fmt.Errorf("%s: %w", full, ErrNotSame)
}

// epoch spells t for find's -newermt ("@SECONDS.NANOSECONDS").
func epoch(t time.Time) string {
	return fmt.Sprintf("@%d.%09d", t.Unix(), t.Nanosecond())
}

// globEscape makes s match only itself in find's -path pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
