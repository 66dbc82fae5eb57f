package services

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/richs/richsops/ops/host"
)

// NotInPM2List is the Detail of a pm2 app that pm2 does not know. pm2 keeps
// one daemon (and list) per user: when richsops runs as another user than
// the app's, the service's pm2 prefix must switch user (sudo -u hai pm2).
const NotInPM2List = "not in pm2's list"

// PM2Proc is one app of `pm2 jlist`, the fields richsops reads.
type PM2Proc struct {
	Name     string
	ID       int
	PID      int
	Status   string // online | stopping | stopped | launching | errored | one-launch-status | waiting restart
	Since    time.Time
	Restarts int
	Memory   int64
	CPU      float64
	Cwd      string
	Script   string
	// Env is the environment pm2 starts the app with (pm2_env.env, then
	// pm2_env's own keys): what is in force after the last (re)start.
	Env map[string]string
}

type jlistEntry struct {
	Name  string `json:"name"`
	PMID  int    `json:"pm_id"`
	PID   int    `json:"pid"`
	Monit struct {
		Memory int64   `json:"memory"`
		CPU    float64 `json:"cpu"`
	} `json:"monit"`
	PM2Env map[string]json.RawMessage `json:"pm2_env"`
}

// ParseJList reads `pm2 jlist` output. pm2 may print a banner or
// "[PM2] Spawning daemon" lines first, so the JSON array is the last line
// that decodes as one.
func ParseJList(out []byte) ([]PM2Proc, error) {
	lines := bytes.Split(out, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 || line[0] != '[' {
			continue
		}
		var entries []jlistEntry
		if err := json.Unmarshal(line, &entries); err != nil {
			continue
		}
		procs := make([]PM2Proc, 0, len(entries))
		for _, e := range entries {
			procs = append(procs, e.proc())
		}
		return procs, nil
	}
	return nil, errors.New("pm2 jlist printed no JSON list")
}

func (e jlistEntry) proc() PM2Proc {
	p := PM2Proc{Name: e.Name, ID: e.PMID, PID: e.PID, Memory: e.Monit.Memory, CPU: e.Monit.CPU, Env: map[string]string{}}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(e.PM2Env[k], &s)
		return s
	}
	num := func(k string) float64 {
		var f float64
		_ = json.Unmarshal(e.PM2Env[k], &f)
		return f
	}
	p.Status = str("status")
	p.Restarts = int(num("restart_time"))
	if ms := int64(num("pm_uptime")); ms > 0 {
		p.Since = time.UnixMilli(ms)
	}
	p.Cwd, p.Script = str("pm_cwd"), str("pm_exec_path")
	// pm2 copies the env into pm2_env itself too; pm2_env.env wins.
	for k, raw := range e.PM2Env {
		var s string
		if json.Unmarshal(raw, &s) == nil && isEnvName(k) {
			p.Env[k] = s
		}
	}
	var env map[string]any
	if json.Unmarshal(e.PM2Env["env"], &env) == nil {
		for k, v := range env {
			switch v := v.(type) {
			case string:
				p.Env[k] = v
			case float64, bool:
				p.Env[k] = fmt.Sprint(v)
			}
		}
	}
	return p
}

// isEnvName keeps pm2's own lower-case settings (status, pm_cwd, ...) out
// of the environment: environment variables here are upper-case by custom.
func isEnvName(k string) bool {
	return k != "" && strings.ToUpper(k) == k
}

// JListArgv is `pm2 jlist`.
func JListArgv(pm2 []string) []string { return append(append([]string(nil), pm2...), "jlist") }

// pm2Argv is pm2 with the app's environment set for the pm2 client: pm2
// hands the client's environment to the app on start and on --update-env.
// The env assignments go right before the last word of the pm2 prefix (the
// pm2 program itself), so ["sudo", "-u", "hai", "pm2"] becomes
// sudo -u hai env K=V pm2 (sudo would drop them otherwise).
func pm2Argv(pm2 []string, env map[string]string, args ...string) []string {
	argv := append([]string(nil), pm2[:len(pm2)-1]...)
	if len(env) > 0 {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		argv = append(argv, "env")
		for _, k := range keys {
			argv = append(argv, k+"="+env[k])
		}
	}
	argv = append(argv, pm2[len(pm2)-1])
	return append(argv, args...)
}

// PM2StopArgv is `pm2 stop APP`.
func PM2StopArgv(s Spec) []string { return pm2Argv(s.PM2, nil, "stop", s.App) }

// PM2DeleteArgv is `pm2 delete APP`.
func PM2DeleteArgv(s Spec) []string { return pm2Argv(s.PM2, nil, "delete", s.App) }

// PM2RestartArgv restarts (or starts a stopped) app with the configured
// environment: --update-env replaces the environment pm2 froze at the
// first start.
func PM2RestartArgv(s Spec) []string {
	return pm2Argv(s.PM2, s.Env, "restart", s.App, "--update-env")
}

// PM2StartArgv starts the app's script under its name when pm2 does not
// know the app (first start, or after delete).
func PM2StartArgv(s Spec) []string {
	args := []string{"start", s.ScriptPath(), "--name", s.App}
	if s.Path != "" {
		args = append(args, "--cwd", s.Path)
	}
	return pm2Argv(s.PM2, s.Env, args...)
}

// ListPM2 runs `pm2 jlist` on the host.
func ListPM2(ctx context.Context, h host.Host, pm2 []string) ([]PM2Proc, error) {
	argv := JListArgv(pm2)
	res, err := h.Run(ctx, host.Cmd{Argv: argv, Timeout: 20 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host.ShellQuote(argv), err)
	}
	procs, err := ParseJList(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host.ShellQuote(argv), err)
	}
	return procs, nil
}

// FindPM2 is the app of that name in a jlist (pm2 allows duplicates: the
// first one, as pm2 describe shows).
func FindPM2(procs []PM2Proc, name string) (PM2Proc, bool) {
	for _, p := range procs {
		if p.Name == name {
			return p, true
		}
	}
	return PM2Proc{}, false
}

// EnvMismatch lists the configured keys whose value in force differs.
func EnvMismatch(want, inForce map[string]string) []string {
	var out []string
	for k, v := range want {
		got, ok := inForce[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: want %q, not set", k, v))
		case got != v:
			out = append(out, fmt.Sprintf("%s: want %q, in force %q", k, v, got))
		}
	}
	sort.Strings(out)
	return out
}

// pm2ProcStatus turns an app of the list (or its absence) into a Status.
func pm2ProcStatus(s Spec, p PM2Proc, found bool) Status {
	st := base(s)
	if !found {
		st.State, st.Detail = Down, NotInPM2List
		return st
	}
	st.PID, st.Restarts, st.Memory, st.CPU, st.Detail = p.PID, p.Restarts, p.Memory, p.CPU, p.Status
	if p.Status == "online" {
		// pm_uptime is the last start; pm2 keeps no time of a stop.
		st.Since = p.Since
	}
	if len(s.Env) > 0 {
		st.Env = map[string]string{}
		for k := range s.Env {
			if v, ok := p.Env[k]; ok {
				st.Env[k] = v
			}
		}
		st.EnvMismatch = EnvMismatch(s.Env, p.Env)
	}
	switch p.Status {
	case "online":
		st.State = Up
		if len(st.EnvMismatch) > 0 {
			st.State = Degraded
			st.Detail = "online, env differs from config"
		}
	case "launching", "stopping", "waiting restart", "one-launch-status":
		st.State = Degraded
	case "stopped", "errored":
		st.State = Down
	default:
		st.State = Unknown
	}
	return st
}

// sharedJList lets status reads that ask the same host's pm2 at the same
// moment (the checks of one pass run in parallel: index-linux's health,
// the services, the guard's view of a paused job) share one `pm2 jlist`:
// each starts Node.js, the most CPU the watch service's checks spend. Only
// a call under way is joined, never a finished one, so nothing is stale;
// actions list pm2 afresh (ListPM2).
var sharedJList = struct {
	sync.Mutex
	calls map[string]*jlistCall
}{calls: map[string]*jlistCall{}}

type jlistCall struct {
	done  chan struct{}
	procs []PM2Proc
	err   error
}

func listPM2Shared(ctx context.Context, h host.Host, pm2 []string) ([]PM2Proc, error) {
	key := h.Name() + "\x00" + strings.Join(pm2, "\x00")
	sharedJList.Lock()
	c, joined := sharedJList.calls[key]
	if !joined {
		c = &jlistCall{done: make(chan struct{})}
		sharedJList.calls[key] = c
		// The call outlives a caller that gives up: the others wait on it.
		go func() {
			defer close(c.done)
			c.procs, c.err = ListPM2(context.WithoutCancel(ctx), h, pm2)
			sharedJList.Lock()
			delete(sharedJList.calls, key)
			sharedJList.Unlock()
		}()
	}
	sharedJList.Unlock()
	select {
	case <-c.done:
		return c.procs, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func pm2Status(ctx context.Context, h host.Host, specs []Spec) []Status {
	out := make([]Status, len(specs))
	procs, err := listPM2Shared(ctx, h, specs[0].PM2)
	for i, s := range specs {
		if err != nil {
			out[i] = unknown(s, err)
			continue
		}
		p, ok := FindPM2(procs, s.App)
		out[i] = pm2ProcStatus(s, p, ok)
	}
	return out
}

func pm2StatusOf(ctx context.Context, h host.Host, s Spec) Status {
	return pm2Status(ctx, h, []Spec{s})[0]
}
