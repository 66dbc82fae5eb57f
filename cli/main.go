package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/sanitize"
)

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g, rest, err := SplitGlobals(args)
	if err != nil {
		fmt.Fprintln(stderr, "richsops:", err)
		return ExitUsage
	}
	name := "tui"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	cmd, ok := Lookup(name)
	help := name == "help" || g.Help && name == "tui"
	if help {
		PrintHelp(stdout)
		return ExitOK
	}
	if !ok {
		fmt.Fprintf(stderr, "richsops: unknown command %q\n\n", name)
		PrintHelp(stderr)
		return ExitUsage
	}
	if g.Help {
		fmt.Fprintf(stdout, "richsops %s: %s\n", cmd.Name, cmd.Summary)
		if cmd.Usage != "" {
			fmt.Fprintln(stdout, "\n"+cmd.Usage)
		}
		return ExitOK
	}
	if g.JSON && cmd.NoJSON {
		fmt.Fprintf(stderr, "richsops %s: --json: this command has no JSON output\n", cmd.Name)
		return ExitUsage
	}
	if !cmd.NoConfig {
		// What a listing or an error forgot to sanitize is escaped here.
		se := sanitize.NewWriter(stderr)
		defer se.Flush()
		stderr = se
		if !cmd.Raw {
			so := sanitize.NewWriter(stdout)
			defer so.Flush()
			stdout = so
		}
	}
	env := &Env{Globals: g, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if !cmd.NoConfig {
		cfg, err := LoadConfig(g)
		if err != nil {
			var ps config.Problems
			if errors.As(err, &ps) {
				fmt.Fprintln(stderr, ps.Error())
				fmt.Fprintln(stderr, "richsops: the config has mistakes; fix them (richsops config check) and start again")
			} else {
				fmt.Fprintln(stderr, "richsops:", err)
			}
			return ExitUsage
		}
		env = NewEnv(g, cfg)
		env.Stdin, env.Stdout, env.Stderr = stdin, stdout, stderr
	}
	err = cmd.Run(env, rest)
	var ue UsageError
	var ee ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "richsops %s: %s\n", cmd.Name, ue.Msg)
		if cmd.Usage != "" {
			fmt.Fprintln(stderr, "\n"+cmd.Usage)
		}
		return ExitUsage
	case errors.As(err, &ee):
		if ee.Err != nil {
			fmt.Fprintf(stderr, "richsops %s: %v\n", cmd.Name, ee.Err)
		}
		return ee.Code
	case errors.Is(err, config.ErrBadArgument): // the operator's argument, not a failure
		fmt.Fprintf(stderr, "richsops %s: %s\n", cmd.Name, env.shown(err))
		return ExitUsage
	case errors.Is(err, ErrDeclined):
		fmt.Fprintln(stderr, env.shown(err))
		return ExitFail
	}
	fmt.Fprintf(stderr, "richsops %s: %s\n", cmd.Name, env.shown(err))
	return ExitFail
}

// PrintHelp lists the subcommands and global flags.
func PrintHelp(w io.Writer) {
	fmt.Fprintln(w, `richsops: the operations console of the richs box.

Usage: richsops [global flags] [command] [args]
With no command, the console (TUI) starts.

Commands:`)
	for _, c := range Commands() {
		if strings.HasPrefix(c.Summary, "(internal)") {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w, `
Global flags (before or after the command):
  --config FILE   config file (else $RICHSOPS_CONFIG, else /etc/richsops/config.toml)
  --readonly      refuse every change (the screens still show everything)
  --host NAME     act on a configured host ("local" or a [[hosts]] name)
  --yes, -y       do not ask before a change (typed confirmations still need RICHSOPS_CONFIRM)
  --json          machine-readable output for listings
  --lang ja|en    labels in Japanese or English (default from LANG)
  --help, -h      this help, or a command's usage

richsops COMMAND --help shows a command's usage.`)
}
