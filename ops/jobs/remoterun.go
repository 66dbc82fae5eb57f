package jobs

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

// remoteScript starts a job on a host reached over ssh, where richsops has
// no process of its own to fork from. The script is a constant: every value
// (folder, log, user, environment, argv) arrives as a positional parameter,
// so nothing from config or input is ever parsed by the shell. It mirrors
// launch.start: its own session (setsid -f around it), stdin /dev/null,
// the user switched by setpriv (which execs, where runuser and su stay
// behind as a root parent that would look like a second instance),
// stdout and stderr appended to the log, the app user's login environment
// when run as root, and never through a symlinked log.
const remoteScript = `cd -- "$1" || { echo "richsops: app folder $1 is missing" >&2; exit 1; }
log=$2; u=$3; shift 3
if [ -L "$log" ]; then echo "richsops: log $log is a symlink; refusing" >&2; exit 1; fi
if [ "$(id -u)" = 0 ] && [ ! -e "$log" ]; then : >>"$log" && chown "$u": "$log"; fi
exec </dev/null >>"$log" 2>&1 || exit 1
if [ "$(id -u)" = 0 ] && [ "$u" != "$(id -un)" ]; then
	home=$(getent passwd "$u" | cut -d: -f6)
	[ -n "$home" ] || { echo "richsops: no user $u" >&2; exit 1; }
	exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- env -i HOME="$home" USER="$u" LOGNAME="$u" SHELL=/bin/bash \
		PATH="$home/.local/bin:$home/bin:/usr/local/bin:/usr/bin:/usr/local/sbin:/usr/sbin" "$@"
fi
exec env "$@"`

// remoteLaunchArgv is the argv that starts job j on a remote host:
// setsid -f sh -c SCRIPT richsops-run DIR LOG USER [KEY=VALUE...] PYTHON MANAGE JOB ARGS...
func remoteLaunchArgv(cfg *config.Config, j config.Job, args []string) []string {
	if args == nil {
		args = j.Args
	}
	argv := []string{"setsid", "-f", "sh", "-c", remoteScript, "richsops-run", cfg.App.Dir, cfg.JobLogPath(j), cfg.App.User}
	keys := make([]string, 0, len(cfg.App.Env))
	for k := range cfg.App.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		argv = append(argv, k+"="+cfg.App.Env[k])
	}
	argv = append(argv, cfg.App.Python, cfg.App.Manage, j.Name)
	return append(argv, args...)
}

// startRemote runs the launcher on h and finds the new process by its
// argv. On its way the launcher passes through states whose argv also names
// the job (sh -c SCRIPT ..., setpriv ..., env ...), some still as root: a
// process counts as started only once it runs python itself.
func startRemote(ctx context.Context, h host.Host, cfg *config.Config, job string, argv []string, before []Proc) ([]Proc, error) {
	res, err := h.Run(ctx, host.Cmd{Argv: argv, Timeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("start on %s: %w (%s)", h.Name(), err, res.Stderr)
	}
	old := map[int]bool{}
	for _, p := range before {
		old[p.PID] = true
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs, err := List(ctx, h, cfg, []string{job})
		if err != nil {
			return nil, err
		}
		var fresh []Proc
		for _, p := range procs {
			if !old[p.PID] && len(p.Args) > 0 && p.Args[0] == cfg.App.Python {
				fresh = append(fresh, p)
			}
		}
		if len(fresh) > 0 || time.Now().After(deadline) {
			return fresh, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// remoteRunAction is RunAction for a host reached over ssh.
func remoteRunAction(h host.Host, cfg *config.Config, j config.Job, spec RunSpec, running []Proc, ge *GuardError, guard GuardCheck) gate.Action {
	argv := remoteLaunchArgv(cfg, j, spec.Args)
	args := spec.Args
	if args == nil {
		args = j.Args
	}
	t := cfg.T
	a := runAction(cfg, h, j, argv, ge)
	a.Preview = append(a.Preview,
		fmt.Sprintf(t("on %s, as %s (when ssh logs in as root) in %s:", "%s で、%s として（ssh が root でログインする場合）%s で実行:"), h.Name(), cfg.App.User, cfg.App.Dir),
		"  "+host.ShellQuote(append([]string{cfg.App.Python, cfg.App.Manage, j.Name}, args...)),
		t("output appended to ", "出力の追記先: ")+cfg.JobLogPath(j),
		t("detached with setsid: keeps running after richsops and ssh exit", "setsid で切り離して実行: richsops と ssh を終了しても動き続けます"))
	a.Preview = append(a.Preview, forcedPreview(cfg, running)...)
	a.Run = func(ctx context.Context) (gate.Outcome, error) {
		unlock, err := LockRun(ctx, h, cfg, j.Name)
		if err != nil {
			return gate.Outcome{}, err
		}
		// Held until startRemote has seen the new process.
		defer unlock()
		before, err := runningCheck(ctx, h, cfg, j.Name, spec.Force)
		if err != nil {
			return gate.Outcome{}, err
		}
		details, err := guardAgain(ctx, cfg, j, ge, guard)
		if err != nil {
			return gate.Outcome{}, err
		}
		fresh, err := startRemote(ctx, h, cfg, j.Name, argv, before)
		if err != nil {
			return gate.Outcome{Details: details}, err
		}
		details = append(details, t("log: ", "ログ: ")+cfg.JobLogPath(j))
		if len(fresh) == 0 {
			return gate.Outcome{Details: details}, config.Errorf(t, "%s: started on %s, but no process of it is running after 5 s: see %s",
				"%s: %s で開始しましたが、5 秒後に実行中のプロセスがありません: %s を確認してください", j.Name, h.Name(), cfg.JobLogPath(j))
		}
		sum := fmt.Sprintf(t("%s started on %s: pid %s as %s", "%s を %s で開始しました: pid %s（%s として）"), j.Name, h.Name(), PIDList(fresh), fresh[0].User) + overriddenNote(cfg, ge)
		return gate.Outcome{Summary: sum, Details: details}, nil
	}
	return a
}
