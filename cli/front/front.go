// Package front hands the commands the small `richsops` binary does not
// have to richsops-core, the full program, by exec: same arguments, same
// terminal, same process, so exit codes and signals pass straight through.
//
// Why two binaries: a Go program pays at every start for every package it
// links (runtime tables, package init, page faults across a 15 MB file).
// `richsops tail` links only the config, the follower and the sanitizer and
// starts in about 1.5 times GNU tail's time; linked into the whole console it
// took 1.9 to 2.2 times (BENCHMARKS.md, 4a).
package front

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/richs/richsops/cli"
)

// CoreName is the full program's file name; make build writes it next to
// richsops, and it must be installed beside it.
const CoreName = "richsops-core"

// CoreEnv names a core binary to use instead (tests, unusual installs).
const CoreEnv = "RICHSOPS_CORE"

// Exec replaces this process with richsops-core running args. It returns
// only when that cannot be done, after saying why on stderr.
func Exec(args []string) int {
	path, err := Core()
	if err != nil {
		fmt.Fprintln(os.Stderr, "richsops:", err)
		return cli.ExitUsage
	}
	// argv[0] stays what the operator typed: ps shows "richsops ...".
	argv := append([]string{os.Args[0]}, args...)
	err = syscall.Exec(path, argv, append(os.Environ(), versionEnv+"="+cli.Version))
	fmt.Fprintf(os.Stderr, "richsops: cannot start %s: %v\n", path, err)
	return cli.ExitFail
}

// versionEnv carries the front's version to the core, which warns when the
// two come from different builds (one of them updated alone).
const versionEnv = "RICHSOPS_FRONT_VERSION"

// CheckSkew is for the core's main: when the front that exec'd it is of
// another build, it says so on w. It takes the variable out of the
// environment so that nothing the core starts inherits it.
func CheckSkew(w io.Writer) {
	v, ok := os.LookupEnv(versionEnv)
	if !ok {
		return
	}
	_ = os.Unsetenv(versionEnv)
	if v != cli.Version {
		fmt.Fprintf(w, "richsops: warning: richsops is version %s but %s is %s; install both from one make build\n", v, CoreName, cli.Version)
	}
}

// Core finds richsops-core: $RICHSOPS_CORE, else the file of that name in
// the folder of this binary (symlinks resolved), as make build and the
// install steps in the README put it.
func Core() (string, error) {
	if p := os.Getenv(CoreEnv); p != "" {
		return p, executable(p, fmt.Sprintf("%s (from $%s) does not exist", p, CoreEnv))
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find this binary's own path (%v), so not %s either; set %s", err, CoreName, CoreEnv)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	path := filepath.Join(filepath.Dir(exe), CoreName)
	return path, executable(path, fmt.Sprintf("%s is missing: it must be installed next to %s (make build writes both to bin/; see the README, Install), or set %s", path, exe, CoreEnv))
}

// executable says why path cannot be exec'd: missing (with the given
// explanation), unreadable, a folder, or without an x bit.
func executable(path, missing string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New(missing)
	case err != nil:
		return err // names the path
	case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}
