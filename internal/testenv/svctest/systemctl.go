package svctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// systemctlScript is the stand-in: it records every call (argv joined by
// the unit separator byte, one call a line) and keeps unit state in files:
// units/NAME/{active,pid,since,inactive_since,canreload} plus the flags
// hang (the next start/restart sleeps, then the flag is gone) and
// failstart (start/restart leave the unit failed).
const systemctlScript = `#!/bin/bash
STATE=__STATE__
{ for a in "$@"; do printf '%s\037' "$a"; done; printf '\n'; } >> "$STATE/calls"
verb=$1; shift
now() { date '+%a %Y-%m-%d %H:%M:%S %Z'; }
newpid() { n=$(cat "$STATE/nextpid" 2>/dev/null || echo 4000); echo $((n+1)) > "$STATE/nextpid"; echo "$n"; }
case "$verb" in
show)
  [ "$1" = "-p" ] || { echo "stand-in: want show -p PROPS UNIT..." >&2; exit 64; }
  shift 2
  first=1
  for unit in "$@"; do
    n=${unit%.service}; d="$STATE/units/$n"
    [ $first = 1 ] || echo
    first=0
    if [ ! -d "$d" ]; then
      printf 'Id=%s.service\nActiveState=inactive\nSubState=dead\nMainPID=0\nActiveEnterTimestamp=\nInactiveEnterTimestamp=\nLoadState=not-found\nUnitFileState=\nCanReload=no\n' "$n"
      continue
    fi
    a=$(cat "$d/active")
    case "$a" in active) sub=running;; failed) sub=failed;; *) sub=dead;; esac
    printf 'Id=%s.service\nActiveState=%s\nSubState=%s\nMainPID=%s\nActiveEnterTimestamp=%s\nInactiveEnterTimestamp=%s\nLoadState=loaded\nUnitFileState=enabled\nCanReload=%s\n' \
      "$n" "$a" "$sub" "$(cat "$d/pid")" "$(cat "$d/since" 2>/dev/null)" "$(cat "$d/inactive_since" 2>/dev/null)" "$(cat "$d/canreload")"
  done
  ;;
start|stop|restart|reload)
  [ $# = 1 ] || { echo "stand-in: want $verb UNIT" >&2; exit 64; }
  n=${1%.service}; d="$STATE/units/$n"
  [ -d "$d" ] || { echo "Failed to $verb $n.service: Unit $n.service not found." >&2; exit 5; }
  case "$verb" in
  start|restart)
    if [ -e "$d/hang" ]; then rm -f "$d/hang"; sleep 30; exit 0; fi
    if [ -e "$d/failstart" ]; then echo failed > "$d/active"; echo 0 > "$d/pid"; now > "$d/inactive_since"
      echo "Job for $n.service failed because the control process exited with error code." >&2; exit 1; fi
    if [ "$verb" = start ] && [ "$(cat "$d/active")" = active ]; then exit 0; fi
    echo active > "$d/active"; newpid > "$d/pid"; now > "$d/since" ;;
  stop)
    echo inactive > "$d/active"; echo 0 > "$d/pid"; now > "$d/inactive_since" ;;
  reload)
    [ "$(cat "$d/canreload")" = yes ] || { echo "Failed to reload $n.service: Job type reload is not applicable for unit $n.service." >&2; exit 1; } ;;
  esac
  ;;
*)
  echo "stand-in: unexpected systemctl $verb $*" >&2; exit 64 ;;
esac
`

// Systemctl is the recording stand-in for systemctl. Path is the script,
// named systemctl, alone in Dir (so Dir can go first on PATH).
type Systemctl struct {
	Path  string
	Dir   string
	state string
	t     testing.TB
}

// NewSystemctl writes the stand-in into a temp folder.
func NewSystemctl(t testing.TB) *Systemctl {
	t.Helper()
	Need(t, "bash")
	root := t.TempDir()
	s := &Systemctl{Dir: filepath.Join(root, "bin"), state: filepath.Join(root, "state"), t: t}
	s.Path = filepath.Join(s.Dir, "systemctl")
	for _, d := range []string{s.Dir, filepath.Join(s.state, "units")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := strings.Replace(systemctlScript, "__STATE__", shellWord(s.state), 1)
	if err := os.WriteFile(s.Path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return s
}

func shellWord(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *Systemctl) write(unit, file, content string) {
	d := filepath.Join(s.state, "units", unit)
	if err := os.MkdirAll(d, 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, file), []byte(content+"\n"), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// Unit creates a unit: active is active | inactive | failed.
func (s *Systemctl) Unit(name, active string, canReload bool) {
	s.write(name, "active", active)
	pid := "0"
	if active == "active" {
		pid = "321"
		s.write(name, "since", "Thu 2026-11-26 10:00:00 UTC")
	}
	s.write(name, "pid", pid)
	cr := "no"
	if canReload {
		cr = "yes"
	}
	s.write(name, "canreload", cr)
}

// Hang makes the unit's next start or restart sleep for 30 s.
func (s *Systemctl) Hang(name string) { s.write(name, "hang", "1") }

// FailStart makes start and restart leave the unit failed.
func (s *Systemctl) FailStart(name string) { s.write(name, "failstart", "1") }

// Calls are the argv (without argv[0]) of every call so far.
func (s *Systemctl) Calls() [][]string {
	data, err := os.ReadFile(filepath.Join(s.state, "calls"))
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		out = append(out, strings.Split(strings.TrimSuffix(line, "\x1f"), "\x1f"))
	}
	return out
}

// ResetCalls forgets the calls so far.
func (s *Systemctl) ResetCalls() { _ = os.Remove(filepath.Join(s.state, "calls")) }
