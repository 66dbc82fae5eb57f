// Package check is every health check of the Overview, headless: one
// collector per source, each returning an attention.Report, all run in
// parallel with a timeout each. `richsops check` prints them for cron and
// Zabbix; the Overview tab shows the same reports in its attention list.
package check

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// Unknown is the severity of a check that could not run (a crontab that
// cannot be read, a host that does not answer, a timeout). It is beyond
// attention's scale on purpose: `richsops check` exits 3 for it, as
// monitoring plugins do; the Overview shows it as a warning (ForOverview).
const Unknown = 3

// Func is one source's collector.
type Func func(ctx context.Context, cfg *config.Config, hosts *host.Registry) attention.Report

// Collector is a named source with its time budget.
type Collector struct {
	Name    string
	Timeout time.Duration
	Run     Func
}

// collectors is every source, in the order the table shows them.
var collectors []Collector

// register adds a source; each source's file calls it from init.
func register(c Collector) { collectors = append(collectors, c) }

// All lists every source.
func All() []Collector { return slices.Clone(collectors) }

// Names lists every source's name.
func Names() []string {
	out := make([]string, len(collectors))
	for i, c := range collectors {
		out[i] = c.Name
	}
	return out
}

// Select picks the named sources (all for none); an unknown name is an
// error that lists the known ones.
func Select(names []string, t func(en, ja string) string) ([]Collector, error) {
	if len(names) == 0 {
		return All(), nil
	}
	var out []Collector
	for _, n := range names {
		i := slices.IndexFunc(collectors, func(c Collector) bool { return c.Name == n })
		if i < 0 {
			return nil, config.Errorf(t, "unknown check %q (known: %s)", "%q というチェックはありません（あるもの: %s）", n, strings.Join(Names(), ", "))
		}
		if !slices.ContainsFunc(out, func(c Collector) bool { return c.Name == n }) {
			out = append(out, collectors[i])
		}
	}
	return out, nil
}

// Result is one collector's report and how long it took.
type Result struct {
	attention.Report
	Duration time.Duration
}

// Worst is the result's highest severity, Unknown counting below Crit
// and above Warn.
func (r Result) Worst() int { return Worst(r.Items) }

// Worst of items: Crit, else Unknown, else Warn, else OK (the order in
// which monitoring plugins rank 2, 3, 1, 0).
func Worst(items []attention.Item) int {
	w := attention.OK
	for _, it := range items {
		if rankOf(it.Severity) > rankOf(w) {
			w = it.Severity
		}
	}
	return w
}

// Run runs the collectors in parallel, each bounded by its timeout; one
// that overruns or panics reports Unknown. Results come in cs's order.
func Run(ctx context.Context, cfg *config.Config, hosts *host.Registry, cs []Collector) []Result {
	out := make([]Result, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = RunOne(ctx, cfg, hosts, c)
		}()
	}
	wg.Wait()
	return out
}

// RunOne runs one collector within its timeout.
func RunOne(ctx context.Context, cfg *config.Config, hosts *host.Registry, c Collector) Result {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan attention.Report, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- attention.Report{Source: c.Name, Items: []attention.Item{couldNotRun(c.Name, fmt.Sprintf("internal error: %v", p))}}
			}
		}()
		done <- c.Run(ctx, cfg, hosts)
	}()
	var rep attention.Report
	select {
	case rep = <-done:
	case <-ctx.Done():
		// The collector's own steps carry timeouts too; this is the last
		// line, for one that does not return in time.
		rep = attention.Report{Items: []attention.Item{couldNotRun(c.Name, fmt.Sprintf("no answer within %s", timeout))}}
	}
	rep.Source = c.Name
	for i := range rep.Items {
		rep.Items[i].Source = c.Name
	}
	sort.SliceStable(rep.Items, func(i, j int) bool {
		return rankOf(rep.Items[i].Severity) > rankOf(rep.Items[j].Severity)
	})
	return Result{Report: rep, Duration: time.Since(start)}
}

// rankOf orders severities: OK, Warn, Unknown, Crit.
func rankOf(sev int) int {
	switch sev {
	case attention.Warn:
		return 1
	case Unknown:
		return 2
	case attention.Crit:
		return 3
	}
	return 0
}

// couldNotRun is the item of a check that could not run.
func couldNotRun(source, text string) attention.Item {
	return attention.Item{Severity: Unknown, Source: source, Text: text}
}

// ForOverview is a report as the Overview shows it: Unknown becomes a
// warning that says the check could not run.
func ForOverview(r attention.Report, t func(en, ja string) string) attention.Report {
	out := attention.Report{Source: r.Source, Items: make([]attention.Item, len(r.Items))}
	for i, it := range r.Items {
		if it.Severity == Unknown {
			it.Severity = attention.Warn
			it.Text = t("check failed: ", "チェック失敗: ") + it.Text
		}
		out.Items[i] = it
	}
	return out
}

// SeverityName is OK, WARN, CRIT or UNKNOWN.
func SeverityName(sev int) string {
	switch sev {
	case attention.OK:
		return "OK"
	case attention.Warn:
		return "WARN"
	case attention.Crit:
		return "CRIT"
	}
	return "UNKNOWN"
}

// ExitCode is the monitoring-plugin exit code of a severity: 0 OK, 1 WARN,
// 2 CRIT, 3 UNKNOWN.
func ExitCode(sev int) int {
	switch sev {
	case attention.OK, attention.Warn, attention.Crit:
		return sev
	}
	return 3
}
