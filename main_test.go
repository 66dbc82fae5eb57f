package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/cli/front"
	"github.com/richs/richsops/internal/testbin"
)

// The front exists to start fast: it must not link the console. A new
// import that drags the screens, the database driver or HTTP into it fails
// here, where a timing test would only be flaky.
func TestFrontLinksOnlyTheTailEngine(t *testing.T) {
	out, err := exec.Command(testbin.Go(t), "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/richs/richsops/ui",
		"github.com/charmbracelet/",
		"github.com/mattn/go-runewidth",
		"github.com/go-sql-driver/mysql",
		"github.com/shirou/gopsutil",
		"github.com/klauspost/",
		"net/http",
		"crypto/tls",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("the front links %s (via %s...): keep it to config, logtail and sanitize", dep, f)
			}
		}
	}
}

// buildFront builds this package (the front) into dir as richsops.
func buildFront(t *testing.T, dir string) string {
	return testbin.Build(t, ".", filepath.Join(dir, "richsops"))
}

// run is testbin.Run.
var run = testbin.Run

// TestFrontHandsOverToCore puts a recording stand-in for richsops-core next
// to the front and checks what goes to it, with which arguments, and that
// its exit code comes back.
func TestFrontHandsOverToCore(t *testing.T) {
	dir := t.TempDir()
	bin := buildFront(t, dir)
	core := filepath.Join(dir, front.CoreName)
	if err := os.WriteFile(core, []byte("#!/bin/sh\necho \"core: $*\"\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	logf := filepath.Join(dir, "app.log")
	os.WriteFile(cfg, []byte("audit_log = \""+filepath.Join(dir, "audit.jsonl")+"\"\n"), 0o644)
	os.WriteFile(logf, []byte("one\ntwo\nthree\x1b[31m\n"), 0o644)

	tests := []struct {
		args     []string
		stdout   string
		exitCode int
	}{
		// the core's: handed over whole, globals included, in order
		{[]string{"--config", cfg, "jobs", "list", "--json"}, "core: --config " + cfg + " jobs list --json\n", 7},
		{nil, "core: \n", 7}, // the console itself
		{[]string{"--help"}, "core: --help\n", 7},
		{[]string{"help"}, "core: help\n", 7},
		{[]string{"no-such-command"}, "core: no-such-command\n", 7},
		// config check: its log_format check is linked only in the core
		{[]string{"--config", cfg, "config", "check"}, "core: --config " + cfg + " config check\n", 7},
		// the front's own
		{[]string{"--config", cfg, "tail", "-n", "2", logf}, "two\nthree\\x1b[31m\n", 0},
		{[]string{"version"}, "richsops dev\n", 0},
	}
	for _, tt := range tests {
		stdout, stderr, code := run(t, bin, nil, tt.args...)
		if stdout != tt.stdout || code != tt.exitCode {
			t.Errorf("richsops %q: stdout %q exit %d, want %q exit %d (stderr %q)", tt.args, stdout, code, tt.stdout, tt.exitCode, stderr)
		}
	}

	// Through a symlink (/usr/bin/richsops -> /opt/richsops/richsops): the
	// core is looked for beside the real file.
	link := filepath.Join(t.TempDir(), "richsops")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	if stdout, _, code := run(t, link, nil, "jobs"); stdout != "core: jobs\n" || code != 7 {
		t.Errorf("through a symlink: %q exit %d", stdout, code)
	}

	// A $RICHSOPS_CORE that is not there is named as such.
	nowhere := filepath.Join(dir, "nowhere")
	if _, stderr, code := run(t, bin, []string{front.CoreEnv + "=" + nowhere}, "jobs"); code != 2 || !strings.Contains(stderr, nowhere+" (from $"+front.CoreEnv+") does not exist") {
		t.Errorf("missing $%s: exit %d, stderr %q", front.CoreEnv, code, stderr)
	}
	// $RICHSOPS_CORE wins.
	other := filepath.Join(t.TempDir(), "other-core")
	os.WriteFile(other, []byte("#!/bin/sh\necho other\n"), 0o755)
	if stdout, _, code := run(t, bin, []string{front.CoreEnv + "=" + other}, "jobs"); stdout != "other\n" || code != 0 {
		t.Errorf("with %s: %q exit %d", front.CoreEnv, stdout, code)
	}
}

// TestFrontWithoutCore: a front copied alone says what is missing and where
// it looked, and still runs its own commands.
func TestFrontWithoutCore(t *testing.T) {
	bin := buildFront(t, t.TempDir())
	_, stderr, code := run(t, bin, nil, "jobs", "list")
	if code != 2 || !strings.Contains(stderr, filepath.Join(filepath.Dir(bin), front.CoreName)+" is missing") || !strings.Contains(stderr, "next to "+bin) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if stdout, _, code := run(t, bin, nil, "version"); code != 0 || !strings.HasPrefix(stdout, "richsops ") {
		t.Errorf("version without the core: %q exit %d", stdout, code)
	}
	// A core that is there but cannot run is named too.
	dir := filepath.Dir(bin)
	os.WriteFile(filepath.Join(dir, front.CoreName), []byte("not a program"), 0o644)
	if _, stderr, code := run(t, bin, nil, "jobs"); code != 2 || !strings.Contains(stderr, "is not an executable file") {
		t.Errorf("non-executable core: exit %d, stderr %q", code, stderr)
	}
}

// TestFrontRunsRealCore: with the real richsops-core beside it, `richsops
// help` lists the core's commands (the front alone knows three), and a core
// of another build than the front's is named.
func TestFrontRunsRealCore(t *testing.T) {
	dir := t.TempDir()
	bin := buildFront(t, dir)
	core := filepath.Join(dir, front.CoreName)
	buildCore := func(version string) {
		t.Helper()
		testbin.Build(t, "./cmd/richsops-core", core, "-X github.com/richs/richsops/cli.Version="+version)
	}
	buildCore("dev") // the front's: built without a version
	stdout, stderr, code := run(t, bin, nil, "help")
	for _, cmd := range []string{"check", "db", "demo", "guard", "jobs", "svc", "tail", "tui"} {
		if !strings.Contains(stdout, "\n  "+cmd+" ") {
			t.Errorf("help does not list %s (exit %d):\n%s%s", cmd, code, stdout, stderr)
		}
	}
	if stderr != "" {
		t.Errorf("same build, yet stderr %q", stderr)
	}

	buildCore("v2")
	_, stderr, _ = run(t, bin, nil, "help")
	if want := "richsops is version dev but richsops-core is v2"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
	// Run directly, the core has no front to compare with.
	if _, stderr, _ = run(t, core, nil, "help"); stderr != "" {
		t.Errorf("core alone: stderr %q", stderr)
	}
}
