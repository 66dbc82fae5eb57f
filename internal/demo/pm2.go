package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/richs/richsops/ops/host"
)

// indexLinuxEnv is the runbook's environment for index-linux.
var indexLinuxEnv = map[string]string{"SERVER": "srv1", "DEBUG": "ibiz:*", "NODE_ENV": "production"}

// pm2App is one app in the pm2 stand-in's D/run/pm2.json.
type pm2App struct {
	Name        string            `json:"name"`
	PmID        int               `json:"pm_id"`
	PID         int               `json:"pid"`
	Status      string            `json:"status"` // online | stopped | errored
	RestartTime int               `json:"restart_time"`
	Uptime      int64             `json:"pm_uptime"` // ms since epoch of the last start
	CreatedAt   int64             `json:"created_at"`
	Cwd         string            `json:"pm_cwd"`
	Script      string            `json:"pm_exec_path"`
	Env         map[string]string `json:"env"`
	Memory      int64             `json:"memory"`
	CPU         float64           `json:"cpu"`
}

func loadPM2(s *Sandbox) ([]pm2App, error) {
	data, err := os.ReadFile(s.PM2File())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var apps []pm2App
	err = json.Unmarshal(data, &apps)
	return apps, err
}

func savePM2(s *Sandbox, apps []pm2App) error {
	if apps == nil {
		apps = []pm2App{}
	}
	data, _ := json.MarshalIndent(apps, "", "  ")
	return host.WriteFileAtomic(s.PM2File(), data, 0o644)
}

// jlistEntry is the shape of one element of `pm2 jlist`.
func (a pm2App) jlistEntry() map[string]any {
	env := map[string]any{
		"name": a.Name, "namespace": "default", "pm_id": a.PmID, "status": a.Status,
		"restart_time": a.RestartTime, "unstable_restarts": 0, "pm_uptime": a.Uptime,
		"created_at": a.CreatedAt, "pm_cwd": a.Cwd, "pm_exec_path": a.Script,
		"exec_interpreter": "node", "exec_mode": "fork_mode", "instances": 1,
		"autorestart": true, "watch": false, "node_version": "18.20.4", "version": "1.8.2",
		"pm_out_log_path": "/home/hai/.pm2/logs/" + a.Name + "-out.log",
		"pm_err_log_path": "/home/hai/.pm2/logs/" + a.Name + "-error.log",
	}
	envCopy := map[string]any{}
	for k, v := range a.Env {
		envCopy[k] = v
		env[k] = v // pm2 also flattens the app's env into pm2_env
	}
	env["env"] = envCopy
	mem, cpu := a.Memory, a.CPU
	if a.Status != "online" {
		mem, cpu = 0, 0
	}
	return map[string]any{"pid": a.PID, "name": a.Name, "pm_id": a.PmID, "pm2_env": env, "monit": map[string]any{"memory": mem, "cpu": cpu}}
}

// PM2 is the pm2 stand-in: jlist, list, pid, start, stop, restart,
// delete (with --update-env). State is in D/run/pm2.json.
func PM2(s *Sandbox, args []string, stdout, stderr io.Writer) int {
	recordCall(s, "pm2", args)
	var verb, target, name string
	updateEnv := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--update-env":
			updateEnv = true
		case a == "--name" && i+1 < len(args):
			i++
			name = args[i]
		case strings.HasPrefix(a, "--name="):
			name = strings.TrimPrefix(a, "--name=")
		case strings.HasPrefix(a, "-"):
		case verb == "":
			verb = a
		case target == "":
			target = a
		}
	}
	unlock, err := lockState(s)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer unlock()
	apps, err := loadPM2(s)
	if err != nil {
		fmt.Fprintln(stderr, "[PM2][ERROR]", err)
		return 1
	}
	find := func(t string) int {
		for i, a := range apps {
			if a.Name == t || fmt.Sprint(a.PmID) == t {
				return i
			}
		}
		return -1
	}
	now := time.Now()
	startApp := func(a *pm2App, restart bool) {
		if restart || a.Status != "online" {
			if a.Status == "online" || restart {
				a.RestartTime++
			}
			a.Status, a.Uptime = "online", now.UnixMilli()
			a.PID = fakePID(s)
			if a.Memory == 0 {
				a.Memory = 48 << 20
			}
		}
		if updateEnv {
			if a.Env == nil {
				a.Env = map[string]string{}
			}
			for _, k := range []string{"SERVER", "DEBUG", "NODE_ENV"} {
				if v, ok := os.LookupEnv(k); ok {
					a.Env[k] = v
				}
			}
		}
	}
	switch verb {
	case "jlist":
		list := make([]map[string]any, len(apps))
		for i, a := range apps {
			list[i] = a.jlistEntry()
		}
		data, _ := json.Marshal(list)
		fmt.Fprintln(stdout, string(data))
		return 0
	case "list", "ls", "status", "l":
		printPM2Table(stdout, apps, now)
		return 0
	case "pid":
		if i := find(target); i >= 0 {
			fmt.Fprintln(stdout, apps[i].PID)
		}
		return 0
	case "start", "restart", "stop", "delete", "reload":
	default:
		fmt.Fprintf(stderr, "pm2 (richsops demo stand-in): unknown command %q\n", verb)
		return 1
	}
	if target == "" {
		fmt.Fprintln(stderr, "[PM2][ERROR] Command requires an app name, id or script")
		return 1
	}
	i := find(target)
	if i < 0 && name != "" {
		i = find(name)
	}
	if i < 0 && verb == "start" {
		n := name
		if n == "" {
			n = strings.TrimSuffix(filepath.Base(target), filepath.Ext(target))
		}
		cwd, _ := os.Getwd()
		apps = append(apps, pm2App{Name: n, PmID: len(apps), Cwd: cwd, Script: target, CreatedAt: now.UnixMilli(), Env: map[string]string{}})
		i = len(apps) - 1
		updateEnv = true
	}
	if i < 0 {
		fmt.Fprintf(stderr, "[PM2][ERROR] Process or Namespace %s not found\n", target)
		return 1
	}
	a := &apps[i]
	fmt.Fprintf(stdout, "[PM2] Applying action %sProcessId on app [%s](ids: [ %d ])\n", verb, a.Name, a.PmID)
	switch verb {
	case "start":
		startApp(a, false)
	case "restart", "reload":
		startApp(a, true)
	case "stop":
		a.Status, a.PID = "stopped", 0
	case "delete":
		apps = append(apps[:i], apps[i+1:]...)
		a = nil
	}
	if a != nil {
		fmt.Fprintf(stdout, "[PM2] [%s](%d) ✓\n", a.Name, a.PmID)
	} else {
		fmt.Fprintf(stdout, "[PM2] [%s](%s) ✓\n", target, target)
	}
	if err := savePM2(s, apps); err != nil {
		fmt.Fprintln(stderr, "[PM2][ERROR]", err)
		return 1
	}
	printPM2Table(stdout, apps, now)
	return 0
}

func printPM2Table(w io.Writer, apps []pm2App, now time.Time) {
	fmt.Fprintln(w, "┌────┬────────────────┬──────┬─────────┬──────┬──────────┬────────┐")
	fmt.Fprintln(w, "│ id │ name           │ ↺    │ status  │ cpu  │ memory   │ uptime │")
	fmt.Fprintln(w, "├────┼────────────────┼──────┼─────────┼──────┼──────────┼────────┤")
	for _, a := range apps {
		up := "0"
		if a.Status == "online" {
			up = now.Sub(time.UnixMilli(a.Uptime)).Truncate(time.Minute).String()
		}
		fmt.Fprintf(w, "│ %-2d │ %-14s │ %-4d │ %-7s │ %3.0f%% │ %-8s │ %-6s │\n", a.PmID, a.Name, a.RestartTime, a.Status, a.CPU, fmt.Sprintf("%.1fmb", float64(a.Memory)/(1<<20)), up)
	}
	fmt.Fprintln(w, "└────┴────────────────┴──────┴─────────┴──────┴──────────┴────────┘")
}

// PM2Status is index-linux's status in the pm2 stand-in ("" when absent).
func PM2Status(s *Sandbox, app string) string {
	apps, err := loadPM2(s)
	if err != nil {
		return ""
	}
	for _, a := range apps {
		if a.Name == app {
			return a.Status
		}
	}
	return ""
}

// HealthHandler is index-linux's management server: /health answers 200
// while the pm2 stand-in has index-linux online and 503 otherwise; /item/ID
// is its item lookup (see ScenarioNotFound);
// /amazon/captcha/ stands in for the CAPTCHA solver.
func HealthHandler(s *Sandbox) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if st := PM2Status(s, "index-linux"); st != "online" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "{\"status\":\"down\",\"pm2\":%q}\n", st)
			return
		}
		fmt.Fprintln(w, `{"status":"ok","redis":"connected"}`)
	})
	mux.HandleFunc("/item/", itemHandler(s))
	mux.HandleFunc("/amazon/captcha/", func(w http.ResponseWriter, r *http.Request) {
		select { // a solver takes a moment
		case <-time.After(120 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		fmt.Fprintln(w, `{"status":"ready"}`)
	})
	return mux
}

// ServeHealth listens on the sandbox's health port until the listener is
// closed; it returns the server so the caller can shut it down.
func ServeHealth(s *Sandbox) (*http.Server, error) {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.HealthPort))
	if err != nil {
		return nil, fmt.Errorf("index-linux health server: %w", err)
	}
	srv := &http.Server{Handler: HealthHandler(s), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return srv, nil
}
