// Package sanitizetest holds the hostile strings the display sanitizer is
// tested with, and the check that output built from them is safe to print.
package sanitizetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/richs/richsops/ops/sanitize"
)

// Corpus is one string of each kind a terminal acts on: CSI, OSC 0 (title),
// OSC 8 (hyperlink), OSC 52 (clipboard), DCS, C1 controls raw and encoded,
// BEL, BS, CR, NUL, DEL, bidi overrides and isolates, invalid UTF-8.
var Corpus = []string{
	"csi\x1b[2J\x1b[31mred\x1b[0m",
	"osc0\x1b]0;PWNED-TITLE\x07",
	"osc8\x1b]8;;https://db1.example/\x1b\\link\x1b]8;;\x1b\\",
	"osc52\x1b]52;c;cHduZWQ=\x07",
	"dcs\x1bP+q544e\x1b\\",
	"c1\u009b31m\u009d0;c1title\u009c",
	"rawc1\x9b31m",
	"bel\a",
	"bs abc\b\b\bxyz",
	"cr ok\rEVIL",
	"nul a\x00b",
	"del\x7f",
	"bidi \u202etxt.exe\u202c \u2066iso\u2069",
	"badutf8 \xff\xfe \xe3\x81",
}

// Joined is every string of Corpus in one, for a single argv word or
// file name.
func Joined() string { return Name(strings.Join(Corpus, "|")) }

// Name is s without NUL and '/', which neither a file name nor an argv
// word can hold.
func Name(s string) string { return strings.NewReplacer("\x00", "", "/", "").Replace(s) }

// Check fails t when out holds a byte or character a terminal would act on
// (newlines and tabs excepted): the output of a listing, preview or screen
// built from Corpus.
func Check(t testing.TB, where, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8 in %q", where, out)
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			t.Errorf("%s: control byte %#x at %d in %q", where, c, i, out)
			return
		}
	}
	for _, r := range out {
		if sanitize.UnsafeRune(r) {
			t.Errorf("%s: unsafe character %U in %q", where, r, out)
			return
		}
	}
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// CheckStyled is Check for a styled screen: SGR sequences (colours, which
// the console's net lets through, a box string's as well) are taken out
// first.
func CheckStyled(t testing.TB, where, out string) {
	t.Helper()
	Check(t, where, sgr.ReplaceAllString(out, ""))
}

// Job starts a stand-in stock check that runs until the test ends: `sh
// manage.py NAME ARGS...` in a new folder (returned), as a job process looks
// to richsops, with args as hostile as the test likes. The fake manage.py
// waits on a child that does not match the job.
func Job(t testing.TB, name string, args ...string) (dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "richsops-hostile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte("#!/bin/sh\nsleep 300 &\nwait\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", append([]string{"manage.py", name}, args...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return dir
}
