package cli

import (
	"errors"
	"fmt"

	"github.com/richs/richsops/ops/config"
)

// Version is set by the linker (make build).
var Version = "dev"

func init() {
	Register(Command{
		Name: "version", Summary: "print the version", NoConfig: true,
		Run: func(env *Env, args []string) error {
			fmt.Fprintf(env.Stdout, "richsops %s\n", Version)
			return nil
		},
	})
	Register(Command{
		Name:    "config",
		Summary: "config check | config show [--json] | config path",
		Usage: `richsops config check   validate the config; each mistake as file:line: key: problem; exit 2 on any
richsops config show    print the effective config (defaults filled in) as JSON
richsops config path    print which file is used`,
		NoConfig: true,
		Run:      runConfig,
	})
}

// configChecks are the checks of config check that need a domain package
// (see OnConfigCheck).
var configChecks []func(*config.Config) config.Problems

// OnConfigCheck adds a check to config check: one that needs a domain
// package the config cannot import (traffic's log_format compiler). The
// small front binary links none, so it hands config check to the core.
func OnConfigCheck(f func(*config.Config) config.Problems) { configChecks = append(configChecks, f) }

func runConfig(env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("config: want check, show or path")
	}
	path := config.Locate(env.Globals.Config)
	switch args[0] {
	case "path":
		if path == "" {
			fmt.Fprintln(env.Stdout, "(none: built-in defaults)")
		} else {
			fmt.Fprintln(env.Stdout, path)
		}
		return nil
	case "check":
		cfg, err := config.Load(path)
		if err != nil {
			var ps config.Problems
			if errors.As(err, &ps) {
				fmt.Fprintln(env.Stderr, ps.Error())
				return ExitError{Code: ExitUsage}
			}
			return ExitError{Code: ExitUsage, Err: err}
		}
		var ps config.Problems
		for _, check := range configChecks {
			ps = append(ps, check(cfg)...)
		}
		if len(ps) > 0 {
			fmt.Fprintln(env.Stderr, ps.Error())
			return ExitError{Code: ExitUsage}
		}
		for _, w := range cfg.Warnings() {
			fmt.Fprintln(env.Stderr, "warning: "+w)
		}
		shown := path
		if shown == "" {
			shown = "built-in defaults"
		}
		fmt.Fprintf(env.Stdout, "%s: OK (%d jobs, %d logs, %d services, %d hosts)\n", shown, len(cfg.Jobs), len(cfg.Logs), len(cfg.Services), len(cfg.Hosts))
		return nil
	case "show":
		cfg, err := config.Load(path)
		if err != nil {
			return ExitError{Code: ExitUsage, Err: err}
		}
		return env.PrintJSON(cfg)
	}
	return Usagef("config: unknown %q (check, show, path)", args[0])
}
