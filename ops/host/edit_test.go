package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testDirs are EditDirs in a temp folder: no test touches /run/richsops.
func testDirs(t testing.TB) EditDirs {
	d := t.TempDir()
	return EditDirs{Locks: filepath.Join(d, "locks"), Backups: filepath.Join(d, "backups"), Keep: 3}
}

// editingHosts runs f against Local and SSH hosts that share one set of
// EditDirs (the sshd is this machine, so they share the locks too).
func editingHosts(t *testing.T, f func(t *testing.T, h Host, d EditDirs)) {
	t.Run("local", func(t *testing.T) {
		d := testDirs(t)
		f(t, NewLocalEditing(d), d)
	})
	t.Run("ssh", func(t *testing.T) {
		d := testDirs(t)
		f(t, newTestSSH(t, SSHConfig{Edit: d}), d)
	})
}

func put(data string) func([]byte) ([]byte, error) {
	return func([]byte) ([]byte, error) { return []byte(data), nil }
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "richsops-tmp") {
			t.Errorf("temp file left: %q", e.Name())
		}
	}
}

func TestHostEdit(t *testing.T) {
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		dir := t.TempDir()
		for i, name := range hostileNames() {
			p := filepath.Join(dir, name)
			if _, err := h.Edit(ctx(t), p, put("one\n"), EditOpts{}); err != nil {
				t.Fatalf("%q new: %v", name, err)
			}
			checkFile(t, p, "one\n", 0o644)
			if i%3 != 0 {
				continue // the whole sequence for a third of the names keeps the test quick
			}
			for _, mode := range []os.FileMode{0o600, 0o666} { // kept, whatever the umask
				os.Chmod(p, mode)
				if _, err := h.Edit(ctx(t), p, put("two\n"), EditOpts{}); err != nil {
					t.Fatalf("%q replace: %v", name, err)
				}
				checkFile(t, p, "two\n", mode)
			}
			// change sees what is there; Mode maps the old mode; a backup.
			r, err := h.Edit(ctx(t), p, func(old []byte) ([]byte, error) {
				return append(old, "three\n"...), nil
			}, EditOpts{Backup: true, Mode: func(os.FileMode) os.FileMode { return 0o640 }})
			if err != nil || !r.Written {
				t.Fatalf("%q append: %+v %v", name, r, err)
			}
			checkFile(t, p, "two\nthree\n", 0o640)
			if filepath.Dir(r.Backup) != d.Backups {
				t.Fatalf("%q backup %q, not in %s", name, r.Backup, d.Backups)
			}
			checkFile(t, r.Backup, "two\n", 0o600)
			// A change that leaves the content alone writes nothing.
			r, err = h.Edit(ctx(t), p, func(old []byte) ([]byte, error) { return old, nil }, EditOpts{Backup: true})
			if err != nil || r.Written || r.Backup != "" {
				t.Fatalf("%q no-op: %+v %v", name, r, err)
			}
			// A change that refuses: its error, nothing written.
			no := errors.New("no")
			if _, err := h.Edit(ctx(t), p, func([]byte) ([]byte, error) { return nil, no }, EditOpts{}); !errors.Is(err, no) {
				t.Fatalf("%q refusal: %v", name, err)
			}
			checkFile(t, p, "two\nthree\n", 0o640)
		}
		checkNotPwned(t, dir)
		// Empty content, and large binary content.
		big := bytes.Repeat([]byte{0, 1, 2, 0xff, '\n'}, 300_000)
		for _, data := range [][]byte{{}, big, {'x'}} {
			p := filepath.Join(dir, "data")
			if _, err := h.Edit(ctx(t), p, put(string(data)), EditOpts{}); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
				t.Errorf("%d bytes written, %d read back", len(data), len(got))
			}
		}
		if _, err := h.Edit(ctx(t), filepath.Join(dir, "nofolder", "x"), put("x"), EditOpts{}); err == nil {
			t.Error("write into a missing folder gave no error")
		}
		if _, err := h.Edit(ctx(t), dir, put("x"), EditOpts{}); err == nil || !strings.Contains(err.Error(), "folder") {
			t.Errorf("edit of a folder: %v", err)
		}
		noTemps(t, dir)
	})
}

// The defect: an edit without a lock compared, then wrote, so two
// edits at once both "succeeded" and one was lost. Every edit here appends
// its own line, half of them through ssh: all lines must be there.
func TestHostEditConcurrentLosesNothing(t *testing.T) {
	d := testDirs(t)
	hosts := []Host{NewLocalEditing(d)}
	if sshdErr == nil {
		hosts = append(hosts, newTestSSH(t, SSHConfig{Edit: d}))
	}
	p := filepath.Join(t.TempDir(), "crontab")
	os.WriteFile(p, nil, 0o644)
	const n = 24
	parallel(t, n, func(i int) error {
		_, err := hosts[i%len(hosts)].Edit(ctx(t), p, func(old []byte) ([]byte, error) {
			time.Sleep(2 * time.Millisecond) // widen the window a lock must close
			return fmt.Appendf(old, "line %d\n", i), nil
		}, EditOpts{Backup: true})
		return err
	})
	got, _ := os.ReadFile(p)
	for i := 0; i < n; i++ {
		if !bytes.Contains(got, fmt.Appendf(nil, "line %d\n", i)) {
			t.Errorf("line %d lost:\n%s", i, got)
		}
	}
	// Retention: the newest Keep backups of this file, no more.
	ents, _ := os.ReadDir(d.Backups)
	if len(ents) != d.Keep {
		t.Errorf("%d backups kept, want %d", len(ents), d.Keep)
	}
	noTemps(t, filepath.Dir(p))
}

// A writer that does not take the lock (an operator's echo >>) changes the
// file between the read and the rename: refused, its change stays.
func TestHostEditChangedMeanwhile(t *testing.T) {
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		p := filepath.Join(t.TempDir(), "crontab")
		os.WriteFile(p, []byte("a\n"), 0o644)
		_, err := h.Edit(ctx(t), p, func(old []byte) ([]byte, error) {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("operator\n")
			f.Close()
			return append(old, "richsops\n"...), nil
		}, EditOpts{Backup: true, T: func(en, ja string) string { return ja }})
		if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "何も書き込んでいません") {
			t.Fatalf("got %v, want ErrChanged in Japanese", err)
		}
		if !strings.Contains(ErrChanged.Error(), "changed meanwhile, nothing written") {
			t.Errorf("English text %q", ErrChanged)
		}
		checkFile(t, p, "a\noperator\n", 0o644)
		noTemps(t, filepath.Dir(p))
	})
}

// A symlinked file: the target is edited, the link stays a link.
func TestHostEditSymlinkEditsTarget(t *testing.T) {
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "real"), 0o755)
		target := filepath.Join(dir, "real", "my.cnf")
		os.WriteFile(target, []byte("old\n"), 0o600)
		link := filepath.Join(dir, "my.cnf")
		os.Symlink("real/my.cnf", link)
		r, err := h.Edit(ctx(t), link, put("new\n"), EditOpts{Backup: true})
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("link replaced: %v %v", fi.Mode(), err)
		}
		if r.Path != target {
			t.Errorf("edited %q, want %q", r.Path, target)
		}
		checkFile(t, target, "new\n", 0o600)
		noTemps(t, dir)
		noTemps(t, filepath.Dir(target))
		// A dangling link is refused, not turned into a file.
		dangling := filepath.Join(dir, "dangling")
		os.Symlink("real/missing", dangling)
		if _, err := h.Edit(ctx(t), dangling, put("x"), EditOpts{}); err == nil {
			t.Error("edit through a dangling symlink gave no error")
		}
		if _, err := os.Stat(filepath.Join(dir, "real", "missing")); err == nil {
			t.Error("a dangling link's target was created")
		}
	})
}

// Temp files a killed writer left are removed by the next edit of the file
// (and only its own: another file's temp file stays).
func TestHostEditRemovesStaleTemps(t *testing.T) {
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		dir := t.TempDir()
		p := filepath.Join(dir, "crontab")
		os.WriteFile(p, []byte("a\n"), 0o644)
		stale := filepath.Join(dir, tempPrefix("crontab")+"killed")
		other := filepath.Join(dir, tempPrefix("other")+"killed")
		os.WriteFile(stale, []byte("a"), 0o600)
		os.WriteFile(other, []byte("a"), 0o600)
		if _, err := h.Edit(ctx(t), p, put("b\n"), EditOpts{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("stale temp file still there: %v", err)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("another file's temp file removed: %v", err)
		}
	})
}

// The lock is the same file for local and remote edits: held here, an
// edit on either host waits and gives up with a clear refusal.
func TestHostEditHonoursLock(t *testing.T) {
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		p := filepath.Join(t.TempDir(), "crontab")
		os.WriteFile(p, []byte("a\n"), 0o644)
		real, _ := filepath.EvalSymlinks(p)
		unlock, err := LockFile(context.Background(), d.Locks, editKey(real)+".lock", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Edit(ctx(t), p, put("b\n"), EditOpts{LockWait: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "lock") {
			t.Fatalf("edit under someone's lock: %v", err)
		}
		checkFile(t, p, "a\n", 0o644)
		unlock()
		if _, err := h.Edit(ctx(t), p, put("b\n"), EditOpts{}); err != nil {
			t.Fatal(err)
		}
		checkFile(t, p, "b\n", 0o644)
	})
}

func TestHostEditNeedsDirs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if _, err := NewLocal().Edit(context.Background(), p, put("x"), EditOpts{}); !errors.Is(err, ErrNoEditDirs) {
		t.Errorf("edit without lock folder: %v", err)
	}
}

// A connection that drops while the remote side holds the lock (here the
// context ends during the change) writes nothing and releases the lock.
func TestSSHEditDroppedConnection(t *testing.T) {
	d := testDirs(t)
	h := newTestSSH(t, SSHConfig{Edit: d})
	p := filepath.Join(t.TempDir(), "crontab")
	os.WriteFile(p, []byte("a\n"), 0o644)
	c, cancel := context.WithCancel(ctx(t))
	_, err := h.Edit(c, p, func(old []byte) ([]byte, error) {
		cancel()
		time.Sleep(200 * time.Millisecond) // ssh is killed meanwhile
		return []byte("never\n"), nil
	}, EditOpts{})
	if err == nil {
		t.Fatal("an edit over a dropped connection gave no error")
	}
	checkFile(t, p, "a\n", 0o644)
	start := time.Now()
	if _, err := NewLocalEditing(d).Edit(ctx(t), p, put("b\n"), EditOpts{LockWait: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if w := time.Since(start); w > 5*time.Second {
		t.Errorf("the dropped session kept the lock for %s", w)
	}
	checkFile(t, p, "b\n", 0o644)
	noTemps(t, filepath.Dir(p))
}

func TestHostEditOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("changing owners needs root")
	}
	editingHosts(t, func(t *testing.T, h Host, d EditDirs) {
		p := filepath.Join(t.TempDir(), "owned by someone")
		os.WriteFile(p, []byte("a"), 0o644)
		os.Chown(p, 1234, 2345)
		for i, tc := range []struct {
			owner    *Owner
			uid, gid int
		}{
			{nil, 1234, 2345}, // nil keeps the owner
			{&Owner{UID: 3456, GID: -1}, 3456, 2345},
			{&Owner{UID: -1, GID: 4567}, 3456, 4567},
			{&Owner{UID: 0, GID: 0}, 0, 0},
		} {
			if _, err := h.Edit(ctx(t), p, put(fmt.Sprint(i)), EditOpts{Owner: tc.owner}); err != nil {
				t.Fatal(err)
			}
			if fi, _ := NewLocal().Stat(ctx(t), p); fi.UID != tc.uid || fi.GID != tc.gid {
				t.Errorf("%+v: owner now %d:%d, want %d:%d", tc.owner, fi.UID, fi.GID, tc.uid, tc.gid)
			}
		}
		// RootOwner: the root editor (local or over ssh) makes root the owner, group kept.
		os.Chown(p, 1234, 2345)
		if _, err := h.Edit(ctx(t), p, put("r"), EditOpts{RootOwner: true}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := NewLocal().Stat(ctx(t), p); fi.UID != 0 || fi.GID != 2345 {
			t.Errorf("RootOwner: owner now %d:%d, want 0:2345", fi.UID, fi.GID)
		}
		// A file that did not exist is the writer's unless set.
		n := filepath.Join(filepath.Dir(p), "new")
		if _, err := h.Edit(ctx(t), n, put("n"), EditOpts{Owner: &Owner{UID: 3456, GID: -1}}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := NewLocal().Stat(ctx(t), n); fi.UID != 3456 || fi.GID != os.Getgid() {
			t.Errorf("new file: owner %d:%d", fi.UID, fi.GID)
		}
	})
}

func TestEditKey(t *testing.T) {
	long := "/" + strings.Repeat("a/", 150)
	for _, tc := range []struct{ real, want string }{
		{"/etc/crontab", "%2Fetc%2Fcrontab"},
		{"/etc/a%2Fb", "%2Fetc%2Fa%252Fb"}, // not the key of /etc/a/b
	} {
		if got := editKey(tc.real); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.real, got, tc.want)
		}
	}
	if k := editKey(long); len(k) != maxKeyCut+17 || k == editKey(long+"b") {
		t.Errorf("long key %q", k)
	}
	if !isBackupOf("%2Fetc%2Fcrontab.20261201-213000.123456789", "%2Fetc%2Fcrontab") ||
		isBackupOf("%2Fetc%2Fcrontab.bak.20261201-213000.123456789", "%2Fetc%2Fcrontab") {
		t.Error("isBackupOf")
	}
}

// The remote script must name the lock of a long path as editKey does.
func TestSSHEditKeyMatchesLocal(t *testing.T) {
	d := testDirs(t)
	h := newTestSSH(t, SSHConfig{Edit: d})
	dir := t.TempDir()
	for _, name := range []string{"plain", "with%percent", strings.Repeat("long-", 45)} {
		p := filepath.Join(dir, name)
		if _, err := h.Edit(ctx(t), p, put("x"), EditOpts{}); err != nil {
			t.Fatal(err)
		}
		real, _ := filepath.EvalSymlinks(p)
		if _, err := os.Stat(filepath.Join(d.Locks, editKey(real)+".lock")); err != nil {
			t.Errorf("%q: the remote lock is not the local one: %v", name, err)
		}
	}
}
