package crontab

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/edittest"
	"github.com/richs/richsops/ops/host"
)

func TestApplyModeOwnerBackup(t *testing.T) {
	ctx := context.Background()
	h := host.NewLocalEditing(edittest.Dirs(t))
	dir := t.TempDir()
	path := filepath.Join(dir, "crontab")
	for _, c := range []struct{ old, want os.FileMode }{{0o644, 0o644}, {0o600, 0o600}, {0o664, 0o644}, {0o755, 0o644}, {0o640, 0o640}} {
		if err := os.WriteFile(path, []byte(realWorld), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, c.old)
		if os.Geteuid() == 0 {
			os.Chown(path, 65534, 65534)
		}
		f, err := Load(ctx, h, path)
		if err != nil {
			t.Fatal(err)
		}
		e, err := f.Pause("check_item_mercari")
		if err != nil {
			t.Fatal(err)
		}
		backup, err := Apply(ctx, h, path, e)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != c.want {
			t.Errorf("old %o: new mode %o, want %o", c.old, fi.Mode().Perm(), c.want)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if os.Geteuid() == 0 && (st.Uid != 0 || st.Gid != 65534) {
			t.Errorf("owner %d:%d, want 0:65534", st.Uid, st.Gid)
		}
		if b, err := os.ReadFile(backup); err != nil || !bytes.Equal(b, []byte(realWorld)) {
			t.Errorf("backup %s: %v", backup, err)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, e.New) {
			t.Error("content")
		}
		os.Remove(backup)
	}
	// Changed since read: refused, file untouched.
	f, _ := Load(ctx, h, path)
	e, err := f.Resume("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	// Changed elsewhere since read: the resume is made on what is there.
	os.WriteFile(path, append([]byte("# edited meanwhile\n"), e.Old...), 0o644)
	if _, err := Apply(ctx, h, path, e); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, append([]byte("# edited meanwhile\n"), e.New...)) {
		t.Fatalf("resume after an unrelated change:\n%s", got)
	}
	// The job's own lines changed since read (one more line runs it):
	// refused, file untouched.
	os.WriteFile(path, e.New, 0o644)
	p, _ := Load(ctx, h, path)
	stale, err := p.Pause("check_item_mercari")
	if err != nil {
		t.Fatal(err)
	}
	extra := append([]byte("0 1 * * * root python manage.py check_item_mercari\n"), e.New...)
	os.WriteFile(path, extra, 0o644)
	if _, err := Apply(ctx, h, path, stale); err == nil || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("pause over changed job lines: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, extra) {
		t.Fatalf("refused pause wrote:\n%s", got)
	}
	// Not a regular file: refused.
	link := filepath.Join(dir, "link")
	os.Symlink(path, link)
	if _, err := Apply(ctx, h, link, e); err == nil {
		t.Fatal("replaced a symlink")
	}
}

// TestCrashSafety runs a writer process that pauses and resumes in a loop
// and SIGKILLs it at random moments: the crontab must always be complete,
// either the paused or the resumed version.
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crontab")
	if err := os.WriteFile(path, []byte(realWorld), 0o644); err != nil {
		t.Fatal(err)
	}
	paused, _ := Parse([]byte(realWorld)).Pause("check_item_mercari")
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	for i := 0; i < rounds; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$")
		cmd.Env = append(os.Environ(), "RICHSOPS_CRASH_WRITER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, []byte(realWorld)) && !bytes.Equal(got, paused.New) {
			t.Fatalf("round %d: partial or foreign crontab (%d bytes)", i, len(got))
		}
	}
	// The next edit removes what the killed writers left.
	f, err := Load(context.Background(), host.NewLocal(), path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.Pause("check_item_mercari")
	if err != nil {
		e, err = f.Resume("check_item_mercari")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), host.NewLocalEditing(crashDirs(path)), path, e); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "richsops-tmp") {
			t.Errorf("temp file left after the next edit: %s", e.Name())
		}
	}
}

// crashDirs are the EditDirs of TestCrashSafety, beside its crontab.
func crashDirs(path string) host.EditDirs {
	d := filepath.Dir(path)
	return host.EditDirs{Locks: filepath.Join(d, "locks"), Backups: filepath.Join(d, "backups")}
}

// TestCrashWriter is the writer process of TestCrashSafety.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv("RICHSOPS_CRASH_WRITER")
	if path == "" {
		t.Skip("helper process of TestCrashSafety")
	}
	ctx := context.Background()
	h := host.NewLocalEditing(crashDirs(path)) // a killed process cleans no t.TempDir
	for {
		f, err := Load(ctx, h, path)
		if err != nil {
			continue
		}
		e, err := f.Pause("check_item_mercari")
		if err != nil {
			e, _ = f.Resume("check_item_mercari")
		}
		if b, err := Apply(ctx, h, path, e); err == nil {
			os.Remove(b)
		}
	}
}
