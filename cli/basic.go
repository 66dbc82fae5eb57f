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
		Name: "version", Summary: "print the version", SummaryJa: "バージョンを表示", NoConfig: true,
		Run: func(env *Env, args []string) error {
			if env.JSON {
				return env.PrintJSON(struct {
					Version string `json:"version"`
				}{Version})
			}
			fmt.Fprintf(env.Stdout, "richsops %s\n", Version)
			return nil
		},
	})
	Register(Command{
		Name:      "config",
		Summary:   "config check | config show [--json] | config path",
		SummaryJa: "config check | config show [--json] | config path",
		UsageJa: `richsops config check   設定を検証。誤りごとに file:line: key: 問題。誤りがあれば終了コード 2
richsops config show    有効な設定（既定値を補ったもの）を JSON で表示
richsops config path    使う設定ファイルを表示
--json はどれにも使えます（check: 誤りと警告を JSON で）`,
		Usage: `richsops config check   validate the config; each mistake as file:line: key: problem; exit 2 on any
richsops config show    print the effective config (defaults filled in) as JSON
richsops config path    print which file is used
--json works with each (check: the mistakes and warnings as JSON)`,
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
		return UsageT(env.t(env.Globals), "config: want check, show or path", "config: check、show、path のどれかを指定してください")
	}
	path := config.Locate(env.Globals.Config)
	switch args[0] {
	case "path":
		if env.JSON {
			return env.PrintJSON(struct {
				Path string `json:"path"` // "" = built-in defaults
			}{path})
		}
		if path == "" {
			fmt.Fprintln(env.Stdout, "(none: built-in defaults)")
		} else {
			fmt.Fprintln(env.Stdout, path)
		}
		return nil
	case "check":
		return configCheck(env, path)
	case "show":
		cfg, err := config.Load(path)
		if err != nil {
			return ExitError{Code: ExitUsage, Err: err}
		}
		return env.PrintJSON(cfg)
	}
	return UsageT(env.t(env.Globals), "config: unknown %q (check, show, path)", "config: %q はありません（check、show、path）", args[0])
}

// CheckJSON is config check --json.
type CheckJSON struct {
	File     string          `json:"file"` // "" = built-in defaults
	OK       bool            `json:"ok"`
	Problems config.Problems `json:"problems"`
	Warnings []string        `json:"warnings"`
	Jobs     int             `json:"jobs"`
	Logs     int             `json:"logs"`
	Services int             `json:"services"`
	Hosts    int             `json:"hosts"`
}

// configCheck exits 2 on any mistake; with --json it prints them as a
// CheckJSON on stdout (still exit 2), else as file:line lines on stderr.
func configCheck(env *Env, path string) error {
	out := CheckJSON{File: path}
	cfg, err := config.Load(path)
	if err == nil {
		for _, check := range configChecks {
			out.Problems = append(out.Problems, check(cfg)...)
		}
		out.Warnings = cfg.Warnings()
		out.Jobs, out.Logs, out.Services, out.Hosts = len(cfg.Jobs), len(cfg.Logs), len(cfg.Services), len(cfg.Hosts)
	} else if !errors.As(err, &out.Problems) {
		out.Problems = config.Problems{{File: path, Msg: err.Error()}}
	}
	out.OK = len(out.Problems) == 0
	if env.JSON {
		if err := env.PrintJSON(out); err != nil {
			return err
		}
	} else if !out.OK {
		fmt.Fprintln(env.Stderr, out.Problems.Error())
	} else {
		for _, w := range out.Warnings {
			fmt.Fprintln(env.Stderr, "warning: "+w)
		}
		shown := path
		if shown == "" {
			shown = "built-in defaults"
		}
		fmt.Fprintf(env.Stdout, "%s: OK (%d jobs, %d logs, %d services, %d hosts)\n", shown, out.Jobs, out.Logs, out.Services, out.Hosts)
	}
	if !out.OK {
		return ExitError{Code: ExitUsage}
	}
	return nil
}
