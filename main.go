// Command richsops is the operations console of the richs box: a Bubble Tea
// TUI for the runbook's procedures, and the same checks and actions headless.
// One binary has every command; each subcommand package registers its own.
package main

import (
	"os"

	"github.com/richs/richsops/cli"
	_ "github.com/richs/richsops/cli/checkcmd"
	_ "github.com/richs/richsops/cli/dbcmd"
	_ "github.com/richs/richsops/cli/forecastcmd"
	_ "github.com/richs/richsops/cli/guardcmd"
	_ "github.com/richs/richsops/cli/hostscmd"
	_ "github.com/richs/richsops/cli/jobscmd"
	_ "github.com/richs/richsops/cli/overviewcmd"
	_ "github.com/richs/richsops/cli/svccmd"
	_ "github.com/richs/richsops/cli/tailcmd"
	_ "github.com/richs/richsops/cli/tuicmd"
	_ "github.com/richs/richsops/cli/watchcmd"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
