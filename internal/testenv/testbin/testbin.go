// Package testbin builds the project's commands for the tests that run them
// as real processes, and runs them.
package testbin

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Go is the go command; without it the test is skipped (failed under CI,
// where it must be there).
func Go(t testing.TB) string {
	t.Helper()
	g, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH")
		}
		t.Skip("go is not on PATH: cannot build the binary")
	}
	return g
}

// Build builds the package pkg (an import path, or "." for the one the test
// runs in) into the file out.
func Build(t testing.TB, pkg, out string, ldflags ...string) string {
	t.Helper()
	args := []string{"build", "-o", out}
	for _, f := range ldflags {
		args = append(args, "-ldflags", f)
	}
	if b, err := exec.Command(Go(t), append(args, pkg)...).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// Run runs bin with args, its environment plus env; it returns stdout,
// stderr and the exit code.
func Run(t testing.TB, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return o.String(), e.String(), code
}
