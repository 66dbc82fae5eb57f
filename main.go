// Command richsops is the operations console of the richs box: a Bubble Tea
// TUI for the runbook's procedures, and the same checks and actions headless.
//
// This binary is the small front: it runs `tail` (and version, config)
// itself, so that a headless tail starts nearly as fast as GNU tail, and
// hands every other command, the console included, to richsops-core
// (cmd/richsops-core) by exec. See cli/front for why.
package main

import (
	"os"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/cli/front"
	_ "github.com/richs/richsops/cli/tailcmd"
)

func main() {
	cli.Delegate = front.Exec
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
