package host

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/ops/host/swaptest"
)

// identityOf is the identity a listing would have given for p.
func identityOf(t *testing.T, p string) Identity {
	t.Helper()
	fi, err := NewLocal().Stat(ctx(t), p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Identity()
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// The safe remove removes the listed file at any depth and under any name,
// and refuses, keeping every file, whatever changed since the listing.
func TestHostRemoveUnder(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		// Hostile names, nested, removed exactly (glob characters match
		// only themselves remotely).
		root := t.TempDir()
		for _, name := range hostileNames() {
			for _, rel := range []string{name, "sub dir/" + name, "a/b/" + name} {
				write(t, filepath.Join(root, rel), "x"+rel)
			}
		}
		for _, name := range hostileNames() {
			for _, rel := range []string{name, "sub dir/" + name, "a/b/" + name} {
				p := filepath.Join(root, rel)
				if err := h.RemoveUnder(ctx(t), root, rel, identityOf(t, p)); err != nil {
					t.Fatalf("%q: %v", rel, err)
				}
				if exists(p) {
					t.Fatalf("%q still there", rel)
				}
			}
		}
		checkNotPwned(t, root)

		outside := t.TempDir()
		write(t, filepath.Join(outside, "x"), "outside")
		cases := []struct {
			name  string
			setup func(root string) (rel string, want Identity)
			is    []error // one of these
		}{
			{"grown since listed", func(root string) (string, Identity) {
				p := filepath.Join(root, "f")
				write(t, p, "1")
				id := identityOf(t, p)
				write(t, p, "12")
				return "f", id
			}, []error{ErrNotSame}},
			{"touched since listed", func(root string) (string, Identity) {
				p := filepath.Join(root, "f")
				write(t, p, "1")
				id := identityOf(t, p)
				when := id.ModTime.Add(time.Nanosecond)
				os.Chtimes(p, when, when)
				return "f", id
			}, []error{ErrNotSame}},
			{"replaced by another file", func(root string) (string, Identity) {
				p := filepath.Join(root, "f")
				write(t, p, "1")
				id := identityOf(t, p)
				write(t, p+".new", "1")
				os.Chtimes(p+".new", id.ModTime, id.ModTime)
				os.Rename(p+".new", p)
				return "f", id
			}, []error{ErrNotSame}},
			{"now a link to the listed file", func(root string) (string, Identity) {
				os.Symlink(filepath.Join(outside, "x"), filepath.Join(root, "f"))
				return "f", identityOf(t, filepath.Join(outside, "x"))
			}, []error{ErrNotSame}},
			{"a folder on the way is a link out", func(root string) (string, Identity) {
				os.Symlink(outside, filepath.Join(root, "sub"))
				return "sub/x", identityOf(t, filepath.Join(outside, "x"))
			}, []error{ErrSymlinkOnPath, ErrNotSame}},
			{"a folder", func(root string) (string, Identity) {
				os.Mkdir(filepath.Join(root, "d"), 0o755)
				return "d", identityOf(t, filepath.Join(root, "d"))
			}, []error{ErrNotSame}},
			{"gone", func(root string) (string, Identity) {
				return "none", Identity{}
			}, []error{ErrNotSame, ErrSymlinkOnPath}},
			{"dot-dot", func(root string) (string, Identity) {
				return "../" + filepath.Base(outside) + "/x", identityOf(t, filepath.Join(outside, "x"))
			}, []error{ErrOutside}},
			{"dot-dot inside", func(root string) (string, Identity) {
				return "a/../../x", Identity{}
			}, []error{ErrOutside}},
			{"absolute", func(root string) (string, Identity) {
				return filepath.Join(outside, "x"), identityOf(t, filepath.Join(outside, "x"))
			}, []error{ErrOutside}},
			{"empty", func(root string) (string, Identity) { return "", Identity{} }, []error{ErrOutside}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				root := t.TempDir()
				rel, want := c.setup(root)
				before := snapshot(t, root, outside)
				err := h.RemoveUnder(ctx(t), root, rel, want)
				if !isOneOf(err, c.is) {
					t.Fatalf("got %v, want one of %v", err, c.is)
				}
				if after := snapshot(t, root, outside); after != before {
					t.Fatalf("files changed on a refusal:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		// The root itself a link: refused.
		link := filepath.Join(t.TempDir(), "root")
		os.Symlink(outside, link)
		if err := h.RemoveUnder(ctx(t), link, "x", identityOf(t, filepath.Join(outside, "x"))); !errors.Is(err, ErrSymlinkOnPath) {
			t.Errorf("root a link: %v", err)
		}
		if !exists(filepath.Join(outside, "x")) {
			t.Fatal("removed through a linked root")
		}
	})
}

func isOneOf(err error, targets []error) bool {
	for _, e := range targets {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// snapshot lists every name under the folders (without following links).
func snapshot(t *testing.T, dirs ...string) string {
	t.Helper()
	var b strings.Builder
	for _, d := range dirs {
		filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
			if err == nil {
				b.WriteString(p + " ")
			}
			return nil
		})
	}
	return b.String()
}

// A sub-folder swapped with a link to an outside folder while files are
// removed: the remover is handed the outside files' own identities (a
// preview fooled by the swap) and must still never remove one of them.
func TestHostRemoveUnderSwapRace(t *testing.T) {
	bothHosts(t, func(t *testing.T, h Host) {
		root, outside := t.TempDir(), t.TempDir()
		const files = 40
		rounds := 60
		if !h.IsLocal() {
			rounds = 4 // a round trip per file
		}
		removed := 0
		for round := 0; round < rounds; round++ {
			var ids []Identity
			for i := 0; i < files; i++ {
				name := "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				write(t, filepath.Join(root, "sub", name), "in")
				write(t, filepath.Join(outside, name), "out")
				ids = append(ids, identityOf(t, filepath.Join(root, "sub", name)), identityOf(t, filepath.Join(outside, name)))
			}
			sw := swaptest.Start(filepath.Join(root, "sub"), swaptest.Link(t, root, "sub", outside), 0)
			for sw.Count() < 2 && !sw.Done() {
				time.Sleep(time.Millisecond)
			}
			for i := 0; i < files; i++ {
				name := "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				for _, id := range ids[2*i : 2*i+2] {
					if err := h.RemoveUnder(ctx(t), root, "sub/"+name, id); err == nil {
						removed++
					} else if !isOneOf(err, []error{ErrNotSame, ErrSymlinkOnPath}) {
						t.Fatalf("%s: %v", name, err)
					}
				}
			}
			if n, err := sw.Stop(); err != nil || n == 0 {
				t.Fatalf("swapper: %d swaps, %v", n, err)
			}
			os.Remove(filepath.Join(root, "sub.swap"))
			ents, _ := os.ReadDir(outside)
			if len(ents) != files {
				t.Fatalf("round %d: %d of %d outside files left", round, len(ents), files)
			}
			os.RemoveAll(filepath.Join(root, "sub"))
		}
		if removed == 0 {
			t.Error("nothing inside was ever removed: the test proves nothing")
		}
	})
}

// Whatever rel RemoveUnder accepts names something strictly below root.
func FuzzRelParts(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../a", "a/../../b", "/abs", "", ".", "a//b", "a/./b", "..", "a/..", "...", "..a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		const root = "/srv/root"
		parts, err := relParts(root, rel)
		if err != nil {
			if !errors.Is(err, ErrOutside) {
				t.Fatalf("%q: %v", rel, err)
			}
			return
		}
		full := filepath.Join(root, rel)
		if !strings.HasPrefix(full, root+"/") || len(parts) == 0 {
			t.Fatalf("%q accepted: %s", rel, full)
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." || strings.ContainsRune(p, '/') {
				t.Fatalf("%q accepted with part %q", rel, p)
			}
		}
	})
}
