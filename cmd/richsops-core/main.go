// Command richsops-core is the whole of richsops: the console (TUI) and
// every subcommand. Operators run `richsops`, the small front, which execs
// this binary for everything but tail, version and config (cli/front).
package main

import (
	"os"

	"github.com/richs/richsops/cli"
	_ "github.com/richs/richsops/cli/checkcmd"
	_ "github.com/richs/richsops/cli/dbcmd"
	_ "github.com/richs/richsops/cli/democmd"
	"github.com/richs/richsops/cli/front"
	_ "github.com/richs/richsops/cli/guardcmd"
	_ "github.com/richs/richsops/cli/hostscmd"
	_ "github.com/richs/richsops/cli/jobscmd"
	_ "github.com/richs/richsops/cli/overviewcmd"
	_ "github.com/richs/richsops/cli/svccmd"
	_ "github.com/richs/richsops/cli/tailcmd"
	_ "github.com/richs/richsops/cli/tuicmd"
)

func main() {
	front.CheckSkew(os.Stderr)
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
