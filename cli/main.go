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
		PrintHelp(stdout, HelpT(g))
		return ExitOK
	}
	if !ok {
		t := HelpT(g)
		fmt.Fprintf(stderr, t("richsops: unknown command %q\n\n", "richsops: %q というコマンドはありません\n\n"), name)
		PrintHelp(stderr, t)
		return ExitUsage
	}
	if g.Help {
		t := HelpT(g)
		fmt.Fprintf(stdout, "richsops %s: %s\n", cmd.Name, cmd.SummaryT(t))
		if u := cmd.UsageTextT(t); u != "" {
			fmt.Fprintln(stdout, "\n"+u)
		}
		return ExitOK
	}
	if g.JSON && cmd.NoJSON {
		fmt.Fprintf(stderr, HelpT(g)("richsops %s: --json: this command has no JSON output\n", "richsops %s: --json: このコマンドには JSON 出力がありません\n"), cmd.Name)
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
				fmt.Fprintln(stderr, config.Pick(langOf(g), "richsops: the config has mistakes; fix them (richsops config check) and start again",
					"richsops: 設定に誤りがあります。直してから（richsops config check）やり直してください"))
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
		if u := cmd.UsageTextT(env.t(g)); u != "" {
			fmt.Fprintln(stderr, "\n"+u)
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

// HelpT is the language of what is printed before a command runs (help,
// usage, an unknown command): --lang, else the config's lang when it
// loads, else LANG.
func HelpT(g Globals) func(en, ja string) string {
	lang := langOf(g)
	return func(en, ja string) string { return config.Pick(lang, en, ja) }
}

func langOf(g Globals) string {
	if g.Lang != "" {
		return g.Lang
	}
	if cfg, err := config.Load(config.Locate(g.Config)); err == nil {
		return cfg.Lang
	}
	return config.LangFromEnv()
}

// t is the env's language: the config's, or before one is loaded (the
// commands that run without one) HelpT's.
func (e *Env) t(g Globals) func(en, ja string) string {
	if e.Cfg != nil {
		return e.Cfg.T
	}
	return HelpT(g)
}

// PrintHelp lists the subcommands and global flags in t's language.
func PrintHelp(w io.Writer, t func(en, ja string) string) {
	fmt.Fprintln(w, t(`richsops: the operations console of the richs box.

Usage: richsops [global flags] [command] [args]
With no command, the console (TUI) starts.

Commands:`, `richsops: richs サーバーの運用コンソール。

使い方: richsops [共通フラグ] [コマンド] [引数]
コマンドなしでコンソール（TUI）が起動します。

コマンド:`))
	for _, c := range Commands() {
		if strings.HasPrefix(c.Summary, "(internal)") {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.SummaryT(t))
	}
	fmt.Fprintln(w, t(`
Global flags (before or after the command):
  --config FILE   config file (else $RICHSOPS_CONFIG, else /etc/richsops/config.toml)
  --readonly      refuse every change (the screens still show everything)
  --host NAME     act on a configured host ("local" or a [[hosts]] name)
  --yes, -y       do not ask before a change (typed confirmations still need RICHSOPS_CONFIRM)
  --json          machine-readable output (JSON) of every command that has one
  --lang ja|en    labels in Japanese or English (default from LANG)
  --help, -h      this help, or a command's usage

richsops COMMAND --help shows a command's usage.`, `
共通フラグ（コマンドの前でも後でも可）:
  --config FILE   設定ファイル（なければ $RICHSOPS_CONFIG、なければ /etc/richsops/config.toml）
  --readonly      変更をすべて拒否（画面の表示はそのまま）
  --host NAME     対象のホスト（"local" か [[hosts]] の名前）
  --yes, -y       変更の前に確認しない（入力による確認には RICHSOPS_CONFIRM が必要）
  --json          機械可読の出力（JSON）
  --lang ja|en    表示言語（既定は LANG から）
  --help, -h      このヘルプ、またはコマンドの使い方

richsops コマンド --help でコマンドの使い方を表示します。`))
}
