package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/host"
)

// unitState is what the systemctl stand-in keeps per unit in
// D/run/systemd/UNIT.state (JSON).
type unitState struct {
	Unit        string    `json:"unit"` // "nginx.service"
	Description string    `json:"description"`
	Active      string    `json:"active"` // active | inactive | failed
	Sub         string    `json:"sub"`    // running | dead | failed
	MainPID     int       `json:"main_pid"`
	Since       time.Time `json:"since"`
	CanReload   bool      `json:"can_reload"`
	NRestarts   int       `json:"n_restarts"`
	Memory      int64     `json:"memory"`
}

var demoUnits = []unitState{
	{Unit: "nginx.service", Description: "The nginx HTTP and reverse proxy server", Active: "active", Sub: "running", MainPID: 812, CanReload: true, Memory: 23 << 20},
	{Unit: "mysqld.service", Description: "MariaDB 10.5 database server", Active: "active", Sub: "running", MainPID: 1045, Memory: 1210 << 20},
	{Unit: "redis.service", Description: "Redis persistent key-value database", Active: "active", Sub: "running", MainPID: 903, Memory: 9 << 20},
	{Unit: "crond.service", Description: "Command Scheduler", Active: "active", Sub: "running", MainPID: 640, CanReload: true, Memory: 2 << 20},
	{Unit: "zabbix-agent.service", Description: "Zabbix Agent", Active: "inactive", Sub: "dead"},
}

// InitServiceState writes the stand-ins' starting state: every unit but
// zabbix-agent running for two days, index-linux online under pm2.
func InitServiceState(s *Sandbox, now time.Time) error {
	if err := os.MkdirAll(s.SystemdDir(), 0o755); err != nil {
		return err
	}
	for _, u := range demoUnits {
		u.Since = now.Add(-49 * time.Hour).Truncate(time.Second)
		if u.Active != "active" {
			u.Since = now.Add(-72 * time.Hour).Truncate(time.Second)
		}
		if isDBUnit(s, u.Unit) {
			// Nothing runs yet: the activity starts the real server.
			u.Description = "MariaDB database server (the sandbox's mariadbd)"
			u.Active, u.Sub, u.MainPID, u.Memory, u.Since = "inactive", "dead", 0, 0, now.Truncate(time.Second)
		}
		if err := saveUnit(s, u); err != nil {
			return err
		}
	}
	return savePM2(s, []pm2App{{
		Name: "index-linux", PmID: 0, PID: 2211, Status: "online", RestartTime: 3,
		Uptime: now.Add(-26 * time.Hour).UnixMilli(), CreatedAt: now.Add(-40 * 24 * time.Hour).UnixMilli(),
		Cwd: s.IndexLinuxDir(), Script: filepath.Join(s.IndexLinuxDir(), "index.js"),
		Env: indexLinuxEnv, Memory: 61 << 20, CPU: 0.4,
	}})
}

func unitName(u string) string {
	if strings.Contains(u, ".") {
		return u
	}
	return u + ".service"
}

func unitPath(s *Sandbox, unit string) string {
	return filepath.Join(s.SystemdDir(), unitName(unit)+".state")
}

// loadUnit is a unit's state as systemctl reports it: what its state file
// says, and for the real server's unit what the process says.
func loadUnit(s *Sandbox, unit string) (unitState, bool, error) {
	u, found, err := loadUnitFile(s, unit)
	if err == nil && found && isDBUnit(s, unit) {
		overlayDB(s, &u)
	}
	return u, found, err
}

// loadUnitFile is what D/run/systemd/UNIT.state says.
func loadUnitFile(s *Sandbox, unit string) (unitState, bool, error) {
	data, err := os.ReadFile(unitPath(s, unit))
	if os.IsNotExist(err) {
		return unitState{Unit: unitName(unit), Active: "inactive", Sub: "dead"}, false, nil
	}
	if err != nil {
		return unitState{}, false, err
	}
	var u unitState
	err = json.Unmarshal(data, &u)
	return u, true, err
}

func saveUnit(s *Sandbox, u unitState) error {
	data, _ := json.MarshalIndent(u, "", "  ")
	return host.WriteFileAtomic(unitPath(s, u.Unit), data, 0o644)
}

// fakePID is the next pid a stand-in gives a unit or app it (re)starts:
// a counter in D/run/systemd, so no two share one (they used to be drawn
// from the clock, which gave every unit started in the same second 3000).
// The caller holds the state lock.
func fakePID(s *Sandbox) int {
	p := filepath.Join(s.SystemdDir(), ".next-pid")
	n := 3000
	if data, err := os.ReadFile(p); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && v > n {
			n = v
		}
	}
	_ = os.WriteFile(p, []byte(strconv.Itoa(n+1)+"\n"), 0o644)
	return n
}

// lockState serialises the stand-ins' read-modify-write of their state.
func lockState(s *Sandbox) (func(), error) { return lockFile(s, ".state.lock") }

// lockFile takes an exclusive flock on D/run/NAME (made if missing), waiting
// for it; the returned func releases it. Each stand-in is its own process,
// so a mutex would not do.
func lockFile(s *Sandbox, name string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.RunDir(), name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// recordCall appends a stand-in's argv to D/run/NAME.log, so tests and
// curious operators see what the console ran.
func recordCall(s *Sandbox, name string, args []string) {
	f, err := os.OpenFile(filepath.Join(s.RunDir(), name+".log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s %s\n", time.Now().Format(time.RFC3339), name, strings.Join(args, " "))
}

// systemdTime is how systemctl prints a timestamp.
func systemdTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("Mon 2006-01-02 15:04:05 MST")
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (u unitState) props(found bool) [][2]string {
	load := "loaded"
	if !found {
		load = "not-found"
	}
	var enter, exit string
	if u.Active == "active" {
		enter = systemdTime(u.Since)
	} else {
		exit = systemdTime(u.Since)
	}
	mem := "[not set]"
	if u.Active == "active" {
		mem = fmt.Sprint(u.Memory)
	}
	return [][2]string{
		{"Type", "forking"}, {"MainPID", fmt.Sprint(u.MainPID)}, {"ExecMainPID", fmt.Sprint(u.MainPID)},
		{"NRestarts", fmt.Sprint(u.NRestarts)}, {"MemoryCurrent", mem},
		{"Id", u.Unit}, {"Names", u.Unit}, {"Description", u.Description},
		{"LoadState", load}, {"ActiveState", u.Active}, {"SubState", u.Sub},
		{"UnitFileState", map[bool]string{true: "enabled", false: ""}[found]},
		{"ActiveEnterTimestamp", enter}, {"InactiveEnterTimestamp", exit},
		{"CanStart", "yes"}, {"CanStop", "yes"}, {"CanReload", yesno(u.CanReload)},
	}
}

// Systemctl is the systemctl stand-in: show, is-active, is-enabled,
// status, start, stop, restart, try-restart, reload, daemon-reload. It
// prints what systemctl prints and returns its exit code.
func Systemctl(s *Sandbox, args []string, stdout, stderr io.Writer) int {
	recordCall(s, "systemctl", args)
	var verb string
	var units, propsWanted []string
	valueOnly, quiet := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-p" || a == "--property":
			if i+1 < len(args) {
				i++
				propsWanted = append(propsWanted, strings.Split(args[i], ",")...)
			}
		case strings.HasPrefix(a, "--property="):
			propsWanted = append(propsWanted, strings.Split(strings.TrimPrefix(a, "--property="), ",")...)
		case strings.HasPrefix(a, "-p") && len(a) > 2:
			propsWanted = append(propsWanted, strings.Split(a[2:], ",")...)
		case a == "--value":
			valueOnly = true
		case a == "-q" || a == "--quiet":
			quiet = true
		case strings.HasPrefix(a, "-"):
			// --no-pager, --no-ask-password, --plain, --full: no effect here.
		case verb == "":
			verb = a
		default:
			units = append(units, a)
		}
	}
	if verb == "" {
		fmt.Fprintln(stderr, "systemctl (richsops demo stand-in): want a verb such as show, status, start")
		return 1
	}
	if verb == "daemon-reload" {
		return 0
	}
	if len(units) == 0 {
		fmt.Fprintf(stderr, "Too few arguments.\n")
		return 1
	}
	switch verb {
	case "show", "is-active", "is-enabled", "status", "start", "stop", "restart", "try-restart", "reload", "reload-or-restart":
	default:
		fmt.Fprintf(stderr, "Unknown command verb %s.\n", verb)
		return 1
	}
	code := 0
	for n, name := range units {
		if n > 0 && verb == "show" {
			fmt.Fprintln(stdout)
		}
		c := unitVerb(s, verb, name, propsWanted, valueOnly, quiet, stdout, stderr)
		if c < 0 {
			return 1
		}
		if c != 0 {
			code = c
		}
	}
	return code
}

// unitVerb does verb to one unit and returns systemctl's exit code for it
// (-1: stop at once, exit 1). The real server's start, stop and restart
// take seconds and hold only their own lock; everything else runs under
// the state lock.
func unitVerb(s *Sandbox, verb, name string, propsWanted []string, valueOnly, quiet bool, stdout, stderr io.Writer) int {
	changesDB := isDBUnit(s, name) && (verb == "start" || verb == "stop" || verb == "restart" || verb == "try-restart" || verb == "reload-or-restart")
	if changesDB {
		if err := changeDB(s, verb); err != nil {
			u := unitName(name)
			fmt.Fprintf(stderr, "Job for %s failed because the control process exited with error code.\nSee \"systemctl status %s\" and \"journalctl -xeu %s\" for details.\n%v\n", u, u, u, err)
			return 1
		}
		return 0
	}
	unlock, err := lockState(s)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return -1
	}
	defer unlock()
	u, found, err := loadUnit(s, name)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return -1
	}
	switch verb {
	case "show":
		showProps(stdout, u.props(found), propsWanted, valueOnly)
	case "is-active":
		if !quiet {
			fmt.Fprintln(stdout, u.Active)
		}
		if u.Active != "active" {
			return 3
		}
	case "is-enabled":
		if !found {
			fmt.Fprintf(stderr, "Failed to get unit file state for %s: No such file or directory\n", u.Unit)
			return 1
		}
		fmt.Fprintln(stdout, "enabled")
	case "status":
		if !found {
			fmt.Fprintf(stderr, "Unit %s could not be found.\n", u.Unit)
			return 4
		}
		printStatus(stdout, u)
		if u.Active != "active" {
			return 3
		}
	default: // start, stop, restart, try-restart, reload, reload-or-restart
		if !found {
			fmt.Fprintf(stderr, "Failed to %s %s: Unit %s not found.\n", verb, u.Unit, u.Unit)
			return 5
		}
		return changeUnit(s, &u, verb, stderr)
	}
	return 0
}

func showProps(w io.Writer, all [][2]string, wanted []string, valueOnly bool) {
	emit := func(k, v string) {
		if valueOnly {
			fmt.Fprintln(w, v)
		} else {
			fmt.Fprintf(w, "%s=%s\n", k, v)
		}
	}
	if len(wanted) == 0 {
		for _, kv := range all {
			emit(kv[0], kv[1])
		}
		return
	}
	for _, k := range wanted {
		for _, kv := range all {
			if kv[0] == k {
				emit(k, kv[1])
			}
		}
	}
}

func changeUnit(s *Sandbox, u *unitState, verb string, stderr io.Writer) int {
	now := time.Now().Truncate(time.Second)
	start := func() {
		u.Active, u.Sub, u.Since = "active", "running", now
		u.MainPID = fakePID(s)
		if u.Memory == 0 {
			u.Memory = 8 << 20
		}
	}
	switch verb {
	case "start":
		if u.Active != "active" {
			start()
		}
	case "stop":
		if u.Active == "active" {
			u.Active, u.Sub, u.Since, u.MainPID = "inactive", "dead", now, 0
		}
	case "restart", "reload-or-restart":
		start()
	case "try-restart":
		if u.Active == "active" {
			start()
		}
	case "reload":
		if !u.CanReload {
			fmt.Fprintf(stderr, "Failed to reload %s: Job type reload is not applicable for unit %s.\n", u.Unit, u.Unit)
			return 1
		}
		if u.Active != "active" {
			fmt.Fprintf(stderr, "%s is not active, cannot reload.\n", u.Unit)
			return 1
		}
		return 0
	}
	if err := saveUnit(s, *u); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func printStatus(w io.Writer, u unitState) {
	dot := "●"
	if u.Active != "active" {
		dot = "○"
	}
	fmt.Fprintf(w, "%s %s - %s\n", dot, u.Unit, u.Description)
	fmt.Fprintf(w, "     Loaded: loaded (/usr/lib/systemd/system/%s; enabled; vendor preset: disabled)\n", u.Unit)
	ago := time.Since(u.Since).Truncate(time.Minute)
	fmt.Fprintf(w, "     Active: %s (%s) since %s; %s ago\n", u.Active, u.Sub, systemdTime(u.Since), ago)
	if u.Active == "active" {
		fmt.Fprintf(w, "   Main PID: %d (%s)\n", u.MainPID, strings.TrimSuffix(u.Unit, ".service"))
		fmt.Fprintf(w, "     Memory: %.1fM\n", float64(u.Memory)/(1<<20))
	}
}

// Units lists the stand-in's units and their ActiveState, for tests.
func Units(s *Sandbox) (map[string]string, error) {
	entries, err := os.ReadDir(s.SystemdDir())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	names := []string{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".state") {
			names = append(names, strings.TrimSuffix(e.Name(), ".state"))
		}
	}
	sort.Strings(names)
	for _, n := range names {
		u, _, err := loadUnit(s, n)
		if err != nil {
			return nil, err
		}
		out[n] = u.Active
	}
	return out, nil
}
