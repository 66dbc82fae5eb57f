package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The layers point one way: ops (and what it uses) never depends on the
// console (ui) or the commands (cli), and ui runs nothing itself (no cli).
func TestLayers(t *testing.T) {
	const mod = "github.com/richs/richsops/"
	for _, tc := range []struct {
		pkgs      string
		forbidden []string
	}{
		{"./ops/...", []string{mod + "ui", mod + "cli", mod + "cmd"}},
		{"./ui/...", []string{mod + "cli", mod + "cmd"}},
	} {
		out, err := exec.Command("go", "list", "-deps", "-test=false", "-f", "{{.ImportPath}}: {{join .Deps \" \"}}", tc.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", tc.pkgs, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkg, deps, _ := strings.Cut(line, ": ")
			if !strings.HasPrefix(pkg, mod) {
				continue
			}
			for _, d := range append(strings.Fields(deps), pkg) {
				for _, f := range tc.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s depends on %s (a higher layer)", pkg, d)
					}
				}
			}
		}
	}
}
