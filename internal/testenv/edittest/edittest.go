// Package edittest gives tests hosts and configs whose locked edits keep
// their locks and backups in the test's temp folder: no test may touch the
// real /run/richsops or /var/lib/richsops.
package edittest

import (
	"path/filepath"
	"testing"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// Config points cfg's lock_dir and state_dir into a temp folder of t and
// returns cfg.
func Config(t testing.TB, cfg *config.Config) *config.Config {
	t.Helper()
	d := t.TempDir()
	cfg.LockDir = filepath.Join(d, "locks")
	cfg.StateDir = filepath.Join(d, "state")
	return cfg
}

// Local is the local host editing with the dirs of cfg (after Config).
func Local(cfg *config.Config) *host.Local {
	return host.NewLocalEditing(host.DirsOf(cfg))
}

// Dirs are EditDirs in a temp folder of t.
func Dirs(t testing.TB) host.EditDirs {
	return host.DirsOf(Config(t, config.Default()))
}
