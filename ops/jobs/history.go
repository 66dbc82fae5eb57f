package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/sanitize"
)

// HistoryRuns is how many recent runs per job the console reads.
const HistoryRuns = 20

// RemoteSince is how far back another host's runs are asked for: enough
// for the last HistoryRuns runs of each job and their baselines.
const RemoteSince = "30d"

// RemoteTimeout bounds the ssh call asking another host for its runs (a
// var: the tests of a silent host shorten it).
var RemoteTimeout = 10 * time.Second

// ErrNotInstalled is wrapped when another host has no richsops to ask for
// its run history.
var ErrNotInstalled = errors.New("richsops is not installed")

// History reads each configured job's last HistoryRuns recorded runs from
// the history database (read-only). history.ErrNoDatabase when the watch
// service has not created it yet.
func History(ctx context.Context, cfg *config.Config) (map[string]history.JobRuns, error) {
	s, err := history.OpenReader(ctx, cfg.History.Path, history.Options{BusyTimeout: cfg.History.BusyTimeout.Duration})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := map[string]history.JobRuns{}
	for _, j := range cfg.Jobs {
		r, err := s.Recent(ctx, j.Name, HistoryRuns, j.MaxRuntime.Duration)
		if err != nil {
			return nil, err
		}
		out[j.Name] = r
	}
	return out, nil
}

// HistoryOn is History for the jobs of h: this machine's database, or for
// another host what its own richsops (the watch service's database there)
// answers over ssh.
func HistoryOn(ctx context.Context, h host.Host, cfg *config.Config) (map[string]history.JobRuns, error) {
	if h.IsLocal() {
		return History(ctx, cfg)
	}
	runs, err := RemoteRuns(ctx, h, cfg, "", RemoteSince)
	if err != nil {
		return nil, err
	}
	return history.Group(runs, HistoryRuns), nil
}

// RemoteRuns asks the richsops of another host for its recorded runs of
// job ("" = every job) since (a duration back, "7d"), judged there.
// Errors name the host and say what to do: ErrNotInstalled when it has no
// richsops; a failing or silent ssh gives the host's own error within
// RemoteTimeout.
func RemoteRuns(ctx context.Context, h host.Host, cfg *config.Config, job, since string) ([]history.Judged, error) {
	argv := []string{host.SelfCommand(h, ""), "jobs", "runs", "--json", "--since", since}
	if job != "" {
		argv = append(argv, job)
	}
	name := sanitize.String(h.Name())
	res, err := h.Run(ctx, host.Cmd{Argv: argv, Timeout: RemoteTimeout})
	if err != nil {
		var ee *host.ExitError
		if errors.As(err, &ee) && notFound(ee) {
			return nil, NotInstalled(cfg, h.Name())
		}
		if errors.As(err, &ee) {
			// Its own refusal (no history there yet, a bad config): its words.
			return nil, config.Errorf(cfg.T, "run history of %s: %s", "%s の実行履歴: %s", name, sanitize.String(lastLine(ee)))
		}
		return nil, config.Errorf(cfg.T, "run history of %s: %w", "%s の実行履歴: %w", name, err)
	}
	runs, err := history.ParseRunsJSON(res.Stdout)
	if err != nil {
		return nil, config.Errorf(cfg.T, "run history of %s: unreadable answer of its richsops (another version?): %w",
			"%s の実行履歴: richsops の応答を読めません（バージョン違い？）: %w", name, err)
	}
	return runs, nil
}

// NotInstalled is why host has no run history to show: no richsops there
// (wraps ErrNotInstalled), and what to do.
func NotInstalled(cfg *config.Config, hostName string) error {
	return config.Errorf(cfg.T, "run history of %s: %w there; install it and run `richsops watch` there",
		"%[1]s の実行履歴: richsops がインストールされていません。インストールして、そこで `richsops watch` を起動してください",
		sanitize.String(hostName), ErrNotInstalled)
}

// notFound: the shell found no richsops (127), or found one it cannot run.
func notFound(ee *host.ExitError) bool {
	return ee.Code == 127 || ee.Code == 126
}

// lastLine is the last line a failed command wrote to stderr: a
// richsops error is one line there.
func lastLine(ee *host.ExitError) string {
	s := strings.TrimSpace(ee.Stderr)
	if s == "" {
		return fmt.Sprintf("exit status %d", ee.Code)
	}
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}
