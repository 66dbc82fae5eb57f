// Package hostscmd is `richsops hosts`: the configured [[hosts]] with
// whether each answers over ssh and how fast.
package hostscmd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

const usage = `richsops hosts [NAME...] [--timeout 5s] [--json]
  Lists the configured [[hosts]] (or only those named), probing each in
  parallel: one command to connect (CONNECT, includes the ssh handshake when no
  shared connection is open) and one more over the shared connection (RTT).
  Each probe gives up after --timeout. Exit 1 when any host is unreachable.`

func init() {
	cli.Register(cli.Command{
		Name:      "hosts",
		Summary:   "list the configured hosts with reachability and round-trip time",
		SummaryJa: "設定したホストの一覧と、到達できるか、往復時間",
		UsageJa: `richsops hosts [NAME...] [--timeout 5s] [--json]
  設定の [[hosts]]（または指定したものだけ）を並行して調べます: 接続のための
  コマンド 1 つ（CONNECT。共有接続がなければ ssh のハンドシェイクを含む）と、
  共有接続の上でもう 1 つ（RTT）。各プローブは --timeout で諦めます。
  到達できないホストがあれば終了コード 1。`,
		Usage: usage,
		Run:   run,
	})
}

// Row is one host in the listing (and in --json).
type Row struct {
	Name      string   `json:"name"`
	SSH       string   `json:"ssh"`
	Roles     []string `json:"roles"`
	Reachable bool     `json:"reachable"`
	ConnectMS float64  `json:"connect_ms,omitempty"`
	RTTMS     float64  `json:"rtt_ms,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func run(env *cli.Env, args []string) error {
	timeout := 5 * time.Second
	var names []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--timeout" || strings.HasPrefix(a, "--timeout="):
			v, ok := strings.CutPrefix(a, "--timeout=")
			if !ok {
				if i+1 >= len(args) {
					return cli.UsageT(env.Cfg.T, "--timeout needs a value such as 5s", "--timeout には 5s のような値が必要です")
				}
				i++
				v = args[i]
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return cli.UsageT(env.Cfg.T, "--timeout %q: want a duration such as 5s", "--timeout %q: 5s のような時間を指定してください", v)
			}
			timeout = d
		case strings.HasPrefix(a, "-"):
			return cli.UsageT(env.Cfg.T, "unknown flag %q", "%q というフラグはありません", a)
		default:
			names = append(names, a)
		}
	}
	entries, err := pick(env.Cfg, names)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if len(entries) == 0 {
		if env.JSON {
			return env.PrintJSON([]Row{})
		}
		fmt.Fprintln(env.Stdout, "no [[hosts]] configured (see docs/hosts.md)")
		return nil
	}
	rows := Probe(context.Background(), env.Hosts, entries, timeout)
	if env.JSON {
		err = env.PrintJSON(rows)
	} else {
		err = printTable(env, rows)
	}
	if err != nil {
		return err
	}
	for _, r := range rows {
		if !r.Reachable {
			return cli.ExitError{Code: cli.ExitFail}
		}
	}
	return nil
}

// pick returns the named entries in config order, or all of them.
func pick(cfg *config.Config, names []string) ([]config.HostEntry, error) {
	if len(names) == 0 {
		return cfg.Hosts, nil
	}
	var out []config.HostEntry
	for _, n := range names {
		e, ok := cfg.HostEntry(n)
		if !ok {
			return nil, fmt.Errorf("no [[hosts]] entry named %q", n)
		}
		out = append(out, e)
	}
	return out, nil
}

// Probe checks every entry in parallel; rows keep the entries' order.
func Probe(ctx context.Context, reg *host.Registry, entries []config.HostEntry, timeout time.Duration) []Row {
	rows := make([]Row, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		rows[i] = Row{Name: e.Name, SSH: e.SSH, Roles: e.Roles}
		if rows[i].Roles == nil {
			rows[i].Roles = []string{}
		}
		wg.Add(1)
		go func(r *Row) {
			defer wg.Done()
			h, err := reg.Get(r.Name)
			if err != nil {
				r.Error = err.Error()
				return
			}
			p := host.ProbeHost(ctx, h, timeout)
			r.Reachable = p.Reachable
			r.ConnectMS = ms(p.Connect)
			r.RTTMS = ms(p.RTT)
			if p.Err != nil {
				r.Error = p.Err.Error()
			}
			if !p.Reachable {
				r.ConnectMS, r.RTTMS = 0, 0
			}
		}(&rows[i])
	}
	wg.Wait()
	return rows
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

func printTable(env *cli.Env, rows []Row) error {
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSSH\tROLES\tSTATE\tCONNECT\tRTT\tNOTE")
	for _, r := range rows {
		state, connect, rtt := "unreachable", "-", "-"
		if r.Reachable {
			state = "ok"
			connect = fmtMS(r.ConnectMS)
			if r.RTTMS > 0 {
				rtt = fmtMS(r.RTTMS)
			}
		}
		roles := strings.Join(r.Roles, ",")
		if roles == "" {
			roles = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.SSH, roles, state, connect, rtt, oneLine(r.Error))
	}
	return w.Flush()
}

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.0fms", v)
}

// oneLine keeps a table cell on one line (runs of white space, newlines
// included, become one space) and passes it through the display sanitizer:
// error text quotes what the remote side said.
func oneLine(s string) string {
	return sanitize.String(strings.Join(strings.Fields(s), " "))
}
