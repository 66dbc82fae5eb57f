// Package tuicmd is the console itself: `richsops` with no subcommand, or
// `richsops tui`. It is the one cli package that links the screens (ui).
package tuicmd

import (
	"github.com/richs/richsops/ops/host"
	"os"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ui"
	"github.com/richs/richsops/ui/common"
)

func init() {
	cli.Register(cli.Command{
		Name:      "tui",
		Summary:   "start the console (the default with no subcommand)",
		SummaryJa: "コンソールを起動（コマンドなしの既定）",
		NoJSON:    true,
		Run:       func(env *cli.Env, args []string) error { return Run(env) },
	})
}

// Run starts the console on env's config.
func Run(env *cli.Env) error {
	current := env.Globals.Host
	if current == "" {
		current = env.Cfg.Host
	}
	current = host.NameOf(current)
	if _, err := env.Hosts.Get(current); err != nil {
		return cli.ExitError{Code: cli.ExitUsage, Err: err} // a mistyped --host fails here, not in every tab
	}
	// This machine's name; the status line shows the current host's name
	// and ssh destination instead when it is another one.
	hostLabel, _ := os.Hostname()
	d := ui.NewDeps(common.Deps{
		Cfg:       env.Cfg,
		Gate:      env.Gate,
		Hosts:     env.Hosts,
		ReadOnly:  env.Cfg.ReadOnly,
		HostLabel: hostLabel,
		Host:      current,
	})
	defer env.Hosts.Close() // end the shared ssh connections on quit
	return ui.Run(d)
}
