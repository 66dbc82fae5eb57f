// Package checkcmd is `richsops check`: the Overview's health checks for
// cron, Zabbix and monitoring plugins.
package checkcmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/check"
	"github.com/richs/richsops/ops/sanitize"
)

const usage = `richsops check [--json] [--only NAME[,NAME]] [--zabbix]

Runs the health checks of the Overview in parallel and prints one line per
problem (severity, source, text), or JSON with --json.
Exit code as monitoring plugins: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN (a check
could not run). CRIT outranks UNKNOWN, UNKNOWN outranks WARN.
A bad command line (unknown flag, --only bogus) exits 2 as in every command.
--only     run only these checks (repeatable or comma-separated)
--host     (global) check that host instead of the config's host
--zabbix   print one number, 0 OK, 1 WARN (or UNKNOWN), 2 CRIT, and exit 0
           (for a Zabbix UserParameter)`

const usageJa = `richsops check [--json] [--only NAME[,NAME]] [--zabbix]

概要画面のヘルスチェックを並行して実行し、問題ごとに 1 行（重大度、出どころ、
内容）、--json なら JSON を表示します。
終了コードは監視プラグインと同じ: 0 OK、1 WARN、2 CRIT、3 UNKNOWN（チェックを
実行できなかった）。CRIT は UNKNOWN より、UNKNOWN は WARN より優先。
コマンドラインの誤り（不明なフラグ、--only bogus）は他のコマンドと同じく 2。
--only     このチェックだけ実行（繰り返しかカンマ区切り）
--host     （共通）設定のホストの代わりにそのホストをチェック
--zabbix   数値を 1 つ表示: 0 OK、1 WARN（または UNKNOWN）、2 CRIT。終了コードは 0
           （Zabbix の UserParameter 用）`

func init() {
	cli.Register(cli.Command{Name: "check", Summary: "health checks for cron and Zabbix (exit 0/1/2/3)", Usage: usage + "\nChecks: " + strings.Join(check.Names(), ", "),
		SummaryJa: "cron と Zabbix のためのヘルスチェック（終了コード 0/1/2/3）", UsageJa: usageJa + "\nチェック: " + strings.Join(check.Names(), ", "), Run: run})
}

type opts struct {
	only   []string
	zabbix bool
}

func parse(t func(en, ja string) string, args []string) (opts, error) {
	var o opts
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--zabbix":
			o.zabbix = true
		case a == "--only" || strings.HasPrefix(a, "--only="):
			v, ok := strings.CutPrefix(a, "--only=")
			if !ok {
				if i+1 >= len(args) {
					return o, cli.UsageT(t, "--only needs a value", "--only には値が必要です")
				}
				i++
				v = args[i]
			}
			for _, n := range strings.Split(v, ",") {
				if n = strings.TrimSpace(n); n != "" {
					o.only = append(o.only, n)
				}
			}
		default:
			return o, cli.UsageT(t, "unexpected argument %q", "%q という引数は使えません", a)
		}
	}
	return o, nil
}

// Output is the --json shape.
type Output struct {
	Status   string   `json:"status"` // OK | WARN | CRIT | UNKNOWN
	ExitCode int      `json:"exit_code"`
	Checks   []Source `json:"checks"`
}

// Source is one collector's result.
type Source struct {
	Source     string `json:"source"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Items      []Item `json:"items"`
}

// Item is one problem.
type Item struct {
	Severity string `json:"severity"`
	Text     string `json:"text"`
	Tab      string `json:"tab,omitempty"` // the screen that acts on it
	Key      string `json:"key,omitempty"` // the key there
}

// Build turns results into the output and its exit code.
func Build(results []check.Result) Output {
	var all []attention.Item
	out := Output{Checks: []Source{}}
	for _, r := range results {
		s := Source{Source: r.Source, Status: check.SeverityName(r.Worst()), DurationMS: r.Duration.Milliseconds(), Items: []Item{}}
		for _, it := range r.Items {
			it := Item{Severity: check.SeverityName(it.Severity), Text: it.Text, Tab: string(it.Area), Key: it.Key}
			if it.Tab == "" && it.Key != "" {
				it.Tab = string(attention.AreaOverview)
			} else if it.Tab == string(attention.AreaOverview) && it.Key == "" {
				it.Tab = "" // no screen to go to
			}
			s.Items = append(s.Items, it)
		}
		all = append(all, r.Items...)
		out.Checks = append(out.Checks, s)
	}
	worst := check.Worst(all)
	out.Status, out.ExitCode = check.SeverityName(worst), check.ExitCode(worst)
	return out
}

func run(env *cli.Env, args []string) error {
	// A bad command line (an unknown flag, --only bogus) is bad usage, 2,
	// as everywhere: a monitor shows it as CRIT, so a mistyped check
	// command is fixed at once rather than sitting in UNKNOWN, and 3 stays
	// "a check could not run" (README, Exit codes).
	o, err := parse(env.Cfg.T, args)
	if err != nil {
		return err
	}
	cs, err := check.Select(o.only, env.Cfg.T)
	if err != nil {
		return cli.UsageError{Msg: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := env.Cfg
	if env.Globals.Host != "" { // --host: the checks of the local box run there
		c := *cfg
		c.Host = env.Globals.Host
		cfg = &c
	}
	out := Build(check.Run(ctx, cfg, env.Hosts, cs))
	switch {
	case o.zabbix:
		// Zabbix wants a value, not an exit code; UNKNOWN alerts as WARN.
		v := out.ExitCode
		if v == 3 {
			v = 1
		}
		fmt.Fprintln(env.Stdout, v)
		return nil
	case env.JSON:
		if err := env.PrintJSON(out); err != nil {
			return err
		}
	default:
		printTable(env, out)
	}
	return cli.ExitError{Code: out.ExitCode}
}

// printTable: a status line first (as plugins do), then every problem,
// then one line per source without any.
func printTable(env *cli.Env, out Output) {
	var n = map[string]int{}
	for _, c := range out.Checks {
		for _, it := range c.Items {
			n[it.Severity]++
		}
	}
	fmt.Fprintf(env.Stdout, env.Cfg.T("%s: %d critical, %d warning, %d unknown\n", "%s: 重大 %d、警告 %d、不明 %d\n"), out.Status, n["CRIT"], n["WARN"], n["UNKNOWN"])
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, sev := range []string{"CRIT", "UNKNOWN", "WARN"} { // worst first
		for _, c := range out.Checks {
			for _, it := range c.Items {
				if it.Severity != sev {
					continue
				}
				where := ""
				if it.Tab != "" && it.Key != "" {
					where = fmt.Sprintf("  [%s: %s]", it.Tab, it.Key)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", it.Severity, c.Source, sanitize.String(it.Text+where))
			}
		}
	}
	for _, c := range out.Checks {
		if len(c.Items) == 0 {
			fmt.Fprintf(tw, "OK\t%s\t%s\n", c.Source, env.Cfg.T("no problems", "問題なし"))
		}
	}
	tw.Flush()
}
