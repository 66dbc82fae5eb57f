package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunCapturesAndReportsExit(t *testing.T) {
	h := NewLocal()
	ctx := context.Background()
	res, err := h.Run(ctx, Cmd{Argv: []string{"sh", "-c", `echo out; echo err >&2; pwd; echo "$FOO"; exit 3`}, Dir: "/tmp", Env: map[string]string{"FOO": "bar baz"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || res.ExitCode != 3 {
		t.Fatalf("want exit 3, got %v %+v", err, res)
	}
	if string(res.Stdout) != "out\n/tmp\nbar baz\n" || string(res.Stderr) != "err\n" {
		t.Errorf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
	if !strings.Contains(err.Error(), "err") {
		t.Errorf("error should carry stderr: %v", err)
	}
}

func TestRunArgvIsNotAShell(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "pwned")
	res, err := NewLocal().Run(context.Background(), Cmd{Argv: []string{"echo", "$(touch " + marker + ")", ";", "touch", marker}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("argument was executed")
	}
	if !strings.Contains(string(res.Stdout), "$(touch") {
		t.Errorf("stdout %q", res.Stdout)
	}
}

func TestRunTimeoutKillsTheTree(t *testing.T) {
	start := time.Now()
	res, err := NewLocal().Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "sleep 30 & sleep 30"}, Timeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want timeout, got %v", err)
	}
	if time.Since(start) > 10*time.Second || res.ExitCode != -1 {
		t.Errorf("took %v, exit %d", time.Since(start), res.ExitCode)
	}
}

func TestRunStreamsStdoutAndStdin(t *testing.T) {
	var out bytes.Buffer
	_, err := NewLocal().Run(context.Background(), Cmd{Argv: []string{"tr", "a-z", "A-Z"}, Stdin: strings.NewReader("hello"), Stdout: &out})
	if err != nil || out.String() != "HELLO" {
		t.Fatalf("%v %q", err, out.String())
	}
	if _, err := NewLocal().Run(context.Background(), Cmd{Argv: []string{"/no/such/binary"}}); err == nil {
		t.Fatal("missing binary must fail")
	}
}

func TestFilesAndDisk(t *testing.T) {
	h := NewLocal()
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("12345"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	fi, err := h.Stat(ctx, filepath.Join(dir, "a"))
	if err != nil || fi.Size != 5 || fi.IsDir {
		t.Fatalf("%+v %v", fi, err)
	}
	ents, err := h.ReadDir(ctx, dir)
	if err != nil || len(ents) != 2 {
		t.Fatalf("%+v %v", ents, err)
	}
	if err := h.Remove(ctx, filepath.Join(dir, "sub")); err == nil {
		t.Error("removed a folder")
	}
	if err := h.Remove(ctx, filepath.Join(dir, "a")); err != nil {
		t.Error(err)
	}
	du, err := h.Disk(ctx, dir)
	if err != nil || du.Total == 0 || du.Percent() < 0 || du.Percent() > 100 || du.Mount == "" {
		t.Fatalf("%+v %v", du, err)
	}
	if _, err := h.ReadFile(ctx, filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestShellQuote(t *testing.T) {
	cases := map[string][]string{
		"systemctl reload crond":      {"systemctl", "reload", "crond"},
		`echo 'a b' '$(x)' 'it'\''s'`: {"echo", "a b", "$(x)", "it's"},
		`'' ';' 'a\nb'`:               {"", ";", `a\nb`},
	}
	for want, argv := range cases {
		if got := ShellQuote(argv); got != want {
			t.Errorf("%q: got %s want %s", argv, got, want)
		}
	}
	// Round trip through a real shell.
	argv := []string{"a b", "$(touch /tmp/x)", "it's", "new\nline", "-n", "`id`", "*"}
	res, err := NewLocal().Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "printf '%s\\0' " + ShellQuote(argv)}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(res.Stdout), "\x00"), "\x00")
	if strings.Join(got, "|") != strings.Join(argv, "|") {
		t.Errorf("round trip: %q", got)
	}
}

// TestWriteFileAtomic: the file is replaced whole with its mode, and a
// failed write (the folder is gone) leaves no temp file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	for _, data := range []string{"first\n", "second, longer\n"} {
		if err := WriteFileAtomic(p, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		fi, _ := os.Stat(p)
		if err != nil || string(got) != data || fi.Mode().Perm() != 0o640 {
			t.Fatalf("read %q, %v, mode %v", got, err, fi.Mode())
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "gone", "x"), []byte("x"), 0o644); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left %d entries, want only state.json", len(ents))
	}
}
