package watchcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/human"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ops/sanitize"
	"github.com/richs/richsops/ops/watch"
)

// RunJSON is one run in `jobs runs --json`.
type RunJSON = history.RunJSON

func toJSON(j history.Judged) RunJSON { return j.JSON() }

// since parses --since: a duration back from now ("7d", "24h").
func since(v string, now time.Time) (time.Time, error) {
	d, err := config.ParseDuration(v)
	if err != nil || d <= 0 {
		return time.Time{}, cli.Usagef("--since %q: want a duration such as 24h or 7d", v)
	}
	return now.Add(-d), nil
}

// openSince parses --since (def when empty) and opens the history.
func openSince(ctx context.Context, env *cli.Env, v, def string) (*history.Store, time.Time, error) {
	if v == "" {
		v = def
	}
	from, err := since(v, time.Now())
	if err != nil {
		return nil, from, err
	}
	s, err := openReader(ctx, env)
	return s, from, err
}

// openReader opens the history for reading; with none yet it says how to
// start the watch service.
func openReader(ctx context.Context, env *cli.Env) (*history.Store, error) {
	s, err := history.OpenReader(ctx, env.Cfg.History.Path, histOptions(env.Cfg))
	if errors.Is(err, history.ErrNoDatabase) {
		return nil, config.Errorf(env.Cfg.T, "%s: no history yet: start `richsops watch` (contrib/richsops-watch.service)",
			"%s: 履歴がまだありません: `richsops watch` を起動してください（contrib/richsops-watch.service）", env.Cfg.History.Path)
	}
	return s, err
}

func runRuns(env *cli.Env, args []string) error {
	vals, pos, err := cli.SplitFlags(nil, "jobs runs", args, []string{"--zabbix"}, []string{"--since"})
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return cli.Usagef("jobs runs: at most one job NAME")
	}
	job := ""
	if len(pos) == 1 {
		job = pos[0]
		if _, ok := env.Cfg.Job(job); !ok {
			return cli.Usagef("jobs runs: %q is not a configured job (see richsops jobs list)", job)
		}
	}
	if _, ok := vals["--zabbix"]; ok {
		return runsZabbix(env, job, vals)
	}
	// A short-lived listing of up to thousands of runs: fewer collections
	// for a few MB more.
	debug.SetGCPercent(400)
	if env.JSON {
		// The runs are written as they are read, sanitized there
		// (sanitize.JSON): the display sanitizer under env.Stdout would
		// only scan it all again.
		rw := newRunsWriter(sanitize.Unwrap(env.Stdout))
		if err := eachRun(env, job, vals["--since"], func(_ int, j history.Judged) error { return rw.add(toJSON(j)) }); err != nil {
			return err
		}
		return rw.close()
	}
	var judged []history.Judged
	err = eachRun(env, job, vals["--since"], func(n int, j history.Judged) error {
		judged = append(slices.Grow(judged, n), j)
		return nil
	})
	if err != nil {
		return err
	}
	t := env.Cfg.T
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t("JOB\tSTART\tDURATION\tEXIT\tTRIGGER\tUSER\tCOUNTS\tFLAGS", "ジョブ\t開始\t所要時間\t終了コード\tきっかけ\tユーザー\t件数\tフラグ"))
	for _, j := range judged {
		r := toJSON(j)
		dur, exit := "-", "-"
		if r.DurationS != nil {
			dur = human.Duration(j.Duration())
		}
		if r.ExitCode != nil {
			exit = fmt.Sprint(*r.ExitCode)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sanitize.String(r.Job), r.Start.Format("2006-01-02 15:04:05"), dur, exit,
			sanitize.String(r.Trigger), sanitize.String(r.User), history.CountsText(r.Counts), strings.Join(r.Flags, ","))
	}
	if len(judged) == 0 {
		fmt.Fprintln(tw, t("(no runs recorded in this window)", "（この期間に記録された実行はありません）"))
	}
	return tw.Flush()
}

// eachRun gives f, in order, each judged run of job ("" = every job)
// since sinceFlag (default 7d), and how many there are: from this
// machine's history, or for another host (--host, config host) from its
// own richsops over ssh.
func eachRun(env *cli.Env, job, sinceFlag string, f func(n int, j history.Judged) error) error {
	if sinceFlag == "" {
		sinceFlag = "7d"
	}
	from, err := since(sinceFlag, time.Now())
	if err != nil {
		return err
	}
	h, err := env.Host()
	if err != nil {
		return err
	}
	ctx := context.Background()
	if !h.IsLocal() {
		runs, err := jobs.RemoteRuns(ctx, h, env.Cfg, job, sinceFlag)
		if err != nil {
			return err
		}
		for _, j := range runs {
			if err := f(len(runs), j); err != nil {
				return err
			}
		}
		return nil
	}
	s, err := openReader(ctx, env)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.EachJudged(ctx, job, from, jobNames(env.Cfg), maxRuntime(env.Cfg), f)
}

func jobNames(cfg *config.Config) []string {
	var ns []string
	for _, j := range cfg.Jobs {
		ns = append(ns, j.Name)
	}
	return ns
}

func maxRuntime(cfg *config.Config) func(string) time.Duration {
	return func(name string) time.Duration {
		j, _ := cfg.Job(name)
		return j.MaxRuntime.Duration
	}
}

// SampleJSON is one sample in `history --json`.
type SampleJSON struct {
	Metric string    `json:"metric"`
	Host   string    `json:"host"`
	Time   time.Time `json:"time"`
	Value  float64   `json:"value"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	N      int       `json:"n"` // samples behind it: 1 at full rate, more for an hourly aggregate
}

func runHistory(env *cli.Env, args []string) error {
	vals, pos, err := cli.SplitFlags(nil, "history", args, []string{"--events"}, []string{"--since", "--metric"})
	if err != nil {
		return err
	}
	if _, events := vals["--events"]; events {
		if vals["--metric"] != "" {
			return cli.Usagef("history: --events takes no --metric")
		}
		return runEvents(env, vals["--since"])
	}
	if len(pos) > 0 {
		return cli.Usagef("history: unexpected argument %q", pos[0])
	}
	ctx := context.Background()
	s, from, err := openSince(ctx, env, vals["--since"], "24h")
	if err != nil {
		return err
	}
	defer s.Close()
	ss, err := s.Samples(ctx, history.SamplesQuery{Metric: vals["--metric"], Since: from})
	if err != nil {
		return err
	}
	if env.JSON {
		out := make([]SampleJSON, 0, len(ss))
		for _, x := range ss {
			out = append(out, SampleJSON{Metric: x.Metric, Host: x.Host, Time: x.Time, Value: x.Value, Min: x.Min, Max: x.Max, N: x.N})
		}
		return env.PrintJSON(out)
	}
	// One line per metric and host: the latest value and the window's range.
	type agg struct {
		last, min, max float64
		at             time.Time
		n              int
	}
	var order []string
	aggs := map[string]*agg{}
	for _, x := range ss {
		k := x.Metric + "\t" + sanitize.String(x.Host)
		a, ok := aggs[k]
		if !ok {
			a = &agg{min: x.Min, max: x.Max}
			aggs[k] = a
			order = append(order, k)
		}
		a.last, a.at, a.n = x.Value, x.Time, a.n+x.N
		a.min, a.max = min(a.min, x.Min), max(a.max, x.Max)
	}
	t := env.Cfg.T
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t("METRIC\tHOST\tLAST\tMIN\tMAX\tSAMPLES\tAT", "指標\tホスト\t最新\t最小\t最大\tサンプル数\t時刻"))
	for _, k := range order {
		a := aggs[k]
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%d\t%s\n", k, a.last, a.min, a.max, a.n, a.at.Format("2006-01-02 15:04:05"))
	}
	if len(order) == 0 {
		fmt.Fprintln(tw, t("(no samples in this window)", "（この期間のサンプルはありません）"))
	}
	return tw.Flush()
}

func runExec(env *cli.Env, args []string) error {
	i := -1
	for k, a := range args {
		if a == "--" {
			i = k
			break
		}
	}
	if i < 0 || i == len(args)-1 {
		return cli.Usagef("jobs exec: want NAME -- ARGV...")
	}
	vals, pos, err := cli.SplitFlags(nil, "jobs exec", args[:i], nil, []string{"--trigger", "--user"})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("jobs exec: want one job NAME before --")
	}
	trigger := vals["--trigger"]
	switch trigger {
	case "", history.TriggerCron, history.TriggerConsole, history.TriggerCLI, history.TriggerCatchUp, history.TriggerUnknown:
	default:
		return cli.Usagef("jobs exec: --trigger %q: want cron, console, cli, catch-up or unknown", trigger)
	}
	if trigger == "" && os.Getenv("TERM") == "" {
		// No terminal: cron's environment (the crontab line).
		trigger = history.TriggerCron
	}
	// The job is this process's child: exec is always this machine's,
	// whatever host the config makes the default (cron runs it here).
	if !host.IsLocalName(env.Globals.Host) {
		return cli.Usagef("jobs exec runs on this machine only (no --host)")
	}
	h, err := env.Hosts.Get(host.LocalName)
	if err != nil {
		return err
	}
	ctx := context.Background()
	warn := func(s string) { fmt.Fprintln(env.Stderr, "richsops jobs exec: "+sanitize.String(s)) }
	s, err := history.OpenWriter(ctx, env.Cfg.History.Path, histOptions(env.Cfg))
	if err != nil {
		warn(err.Error() + " (the job runs, unrecorded)")
		s = nil
	} else {
		defer s.Close()
	}
	e := &watch.Exec{Cfg: env.Cfg, Host: h, Store: s, Job: pos[0], Argv: args[i+1:], Trigger: trigger, User: vals["--user"],
		// The process's own descriptors, not env's (sanitizing) writers: the
		// job's output goes to its log unchanged, and its children holding
		// them do not keep the wait open.
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Warn: warn}
	code, err := e.Run(ctx)
	if err != nil {
		return err
	}
	return cli.ExitError{Code: code}
}

// runEvents is `history --events`: guard decisions and audited actions.
func runEvents(env *cli.Env, sinceFlag string) error {
	ctx := context.Background()
	s, from, err := openSince(ctx, env, sinceFlag, "24h")
	if err != nil {
		return err
	}
	defer s.Close()
	evs, err := s.Events(ctx, "", from)
	if err != nil {
		return err
	}
	if env.JSON {
		return env.PrintJSON(evs)
	}
	t := env.Cfg.T
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, t("TIME\tKIND\tLEVEL\tSOURCE\tSUBJECT\tDETAIL", "時刻\t種類\tレベル\t発生元\t対象\t詳細"))
	for _, e := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Format("2006-01-02 15:04:05"), e.Kind, e.Level,
			sanitize.String(e.Source), sanitize.String(e.Subject), sanitize.String(e.Detail))
	}
	if len(evs) == 0 {
		fmt.Fprintln(tw, t("(no events in this window)", "（この期間のイベントはありません）"))
	}
	return tw.Flush()
}
