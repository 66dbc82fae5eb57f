// Package overviewcmd is the headless side of the Overview tab:
// `richsops traffic` and `richsops public`.
package overviewcmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/traffic"
)

func init() {
	cli.OnConfigCheck(traffic.CheckConfig)
	cli.Register(cli.Command{
		Name:      "traffic",
		Summary:   "nginx access summary: requests per minute, status shares, top paths and clients, slowest",
		SummaryJa: "nginx アクセスの集計: 毎分のリクエスト、ステータスの割合、上位のパスとクライアント、遅いもの",
		UsageJa: `richsops traffic [--json] [--format LOG_FORMAT] [FILE]
  FILE        アクセスログ（既定: traffic.log で指定した [[logs]]）
  --format    nginx の log_format 文字列（既定: traffic.log_format か combined）。
              解釈できなければ終了コード 2
  --json      集計全体を JSON で`,
		Usage: `richsops traffic [--json] [--format LOG_FORMAT] [FILE]
  FILE        an access log (default: the [[logs]] entry named by traffic.log)
  --format    an nginx log_format string (default: traffic.log_format, or combined)
  --json      the whole summary as JSON`,
		Run: runTraffic,
	})
}

func runTraffic(env *cli.Env, args []string) error {
	var file, format string
	formatSet := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--format" && i+1 < len(args):
			i++
			format, formatSet = args[i], true
		case strings.HasPrefix(a, "--format="):
			format, formatSet = strings.TrimPrefix(a, "--format="), true
		case strings.HasPrefix(a, "-") && a != "-":
			return cli.UsageT(env.Cfg.T, "traffic: unknown flag %s", "traffic: %s というフラグはありません", a)
		case file != "":
			return cli.UsageT(env.Cfg.T, "traffic: one FILE at most", "traffic: FILE は 1 つまでです")
		default:
			file = a
		}
	}
	logEntry, f, err := traffic.LogOf(env.Cfg)
	if formatSet {
		if f, err = traffic.Compile(format); err != nil {
			return cli.Usagef("traffic: --format: %v", err)
		}
	}
	if f == nil || (err != nil && (file == "" || formatSet)) {
		return err
	}
	h, err := env.Host()
	if file == "" {
		file = logEntry.Path
		if logEntry.Host != "" {
			h, err = env.Hosts.Get(logEntry.Host)
		}
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var s traffic.Summary
	if file == "-" {
		s, err = traffic.Summarize(ctx, env.Stdin, f, traffic.Options{})
	} else {
		s, err = traffic.SummarizeHost(ctx, h, file, f, traffic.Options{}, 0)
	}
	if err != nil {
		return err
	}
	if env.JSON {
		return env.PrintJSON(s)
	}
	printTraffic(env.Stdout, &s, env.Cfg.T)
	return nil
}

func printTraffic(w io.Writer, s *traffic.Summary, t func(en, ja string) string) {
	fmt.Fprintf(w, t("%s: %d requests, %d invalid lines, %s sent\n", "%s: リクエスト %d 件、不正な行 %d 件、送信 %s\n"), s.File, s.Requests, s.Invalid, human.Bytes(s.Bytes))
	if !s.First.IsZero() {
		fmt.Fprintf(w, t("from %s to %s (%s), %.1f requests/min\n", "%s から %s（%s）、毎分 %.1f リクエスト\n"), s.First.Format(time.DateTime), s.Last.Format(time.DateTime),
			human.DurationT(t, s.Last.Sub(s.First)), s.PerMinute)
	}
	fmt.Fprintf(w, t("status (%s): 2xx %.1f%%  3xx %.1f%%  4xx %.1f%%  5xx %.1f%%\n", "ステータス (%s): 2xx %.1f%%  3xx %.1f%%  4xx %.1f%%  5xx %.1f%%\n"), s.ShareWindow(t, 0), s.Share(2), s.Share(3), s.Share(4), s.Share(5))
	var codes []string
	for c := 100; c < 1000; c++ {
		if n := s.Status[fmt.Sprint(c)]; n > 0 {
			codes = append(codes, fmt.Sprintf("%d:%d", c, n))
		}
	}
	fmt.Fprintf(w, t("codes:  %s\n", "コード:  %s\n"), strings.Join(codes, " "))
	list := func(title string, rows []traffic.Count) {
		fmt.Fprintln(w, title)
		for _, r := range rows {
			fmt.Fprintf(w, "  %10d  %s\n", r.Hits, r.Key)
		}
	}
	list(t("top paths:", "上位のパス:"), s.TopPaths)
	list(t("top clients:", "上位のクライアント:"), s.TopClient)
	if s.HasRequestTime {
		fmt.Fprintln(w, t("slowest:", "遅いリクエスト:"))
		for _, q := range s.Slowest {
			fmt.Fprintf(w, "  %8.3fs  %d  %s %s  %s  %s\n", q.Seconds, q.Status, q.Method, q.Path, q.Client, q.Time.Format(time.DateTime))
		}
	}
}
