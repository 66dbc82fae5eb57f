package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// psColumns is what the remote ps prints (LC_ALL=C for lstart); user:64:
// ps prints a name longer than its column as a uid.
const psColumns = "pid,ppid,user:64,lstart,etimes,pcpu,rss,args"

// processesScript lists every process with ps and, for those whose line
// holds the word $1, adds its working folder: NUL-separated pairs of ps
// line and folder, one round trip. ps prints no newline inside args.
const processesScript = `w=$1
ps -ww -eo ` + psColumns + ` | { read -r _; while read -r pid rest; do
case "$pid $rest" in *"$w"*) printf '%s %s\0%s\0' "$pid" "$rest" "$(readlink /proc/"$pid"/cwd 2>/dev/null)";; esac
done; }`

// Processes runs ps on the host; folders are read for the processes
// whose line holds q.Word.
func (s *SSH) Processes(ctx context.Context, q ProcessQuery) ([]Process, error) {
	res, err := s.script(ctx, "ps", "", processesScript, []string{q.Word}, nil)
	if err != nil {
		return nil, err
	}
	f := bytes.Split(bytes.TrimSuffix(res.Stdout, []byte{0}), []byte{0})
	var out []Process
	for i := 0; i+1 < len(f); i += 2 {
		p, ok, err := parsePSLine(string(f[i]))
		if err != nil {
			return nil, err
		}
		if ok && q.keep(p.Args) {
			p.Dir = string(f[i+1])
			out = append(out, p)
		}
	}
	return out, nil
}

// ParsePS parses `ps -eo pid,ppid,user,lstart,etimes,pcpu,rss,args` output
// (with header), keeping what q keeps. ps joins argv with spaces, so
// arguments are split on blanks.
func ParsePS(out []byte, q ProcessQuery) ([]Process, error) {
	var procs []Process
	for i, l := range strings.Split(string(out), "\n") {
		if i == 0 || !strings.Contains(l, q.Word) {
			continue
		}
		p, ok, err := parsePSLine(l)
		if err != nil {
			return nil, fmt.Errorf("ps line %d: %w", i+1, err)
		}
		if ok && q.keep(p.Args) {
			procs = append(procs, p)
		}
	}
	return procs, nil
}

// parsePSLine parses one line of psColumns; ok is false for a line too
// short to be a process.
func parsePSLine(l string) (Process, bool, error) {
	f := strings.Fields(l)
	if len(f) < 12 {
		return Process{}, false, nil
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return Process{}, false, fmt.Errorf("bad pid %q", f[0])
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return Process{}, false, fmt.Errorf("bad ppid %q", f[1])
	}
	f = f[1:] // the columns after ppid as they were before it
	lstart := strings.Join(f[2:7], " ")
	start, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", lstart, time.Local)
	if err != nil {
		return Process{}, false, fmt.Errorf("bad start %q", lstart)
	}
	et, _ := strconv.ParseInt(f[7], 10, 64)
	cpu, _ := strconv.ParseFloat(f[8], 64)
	rss, _ := strconv.ParseInt(f[9], 10, 64)
	return Process{PID: pid, PPID: ppid, User: f[1], Start: start, Elapsed: time.Duration(et) * time.Second,
		CPU: cpu, RSS: rss * 1024, Args: f[10:], StartKey: lstart}, true, nil
}

// CheckProcess asks ps about p.PID: nil while it is still p.
func (s *SSH) CheckProcess(ctx context.Context, p Process) error {
	res, err := s.Run(ctx, Cmd{Argv: []string{"sh", "-c", checkScript, "richsops-check", strconv.Itoa(p.PID)},
		Env: map[string]string{"LC_ALL": "C"}, Timeout: 10 * time.Second})
	var ee *ExitError
	if errors.As(err, &ee) && strings.TrimSpace(string(res.Stdout)) == "" {
		return ErrProcessGone
	}
	if err != nil {
		return err
	}
	line, cwd, _ := strings.Cut(strings.TrimSuffix(string(res.Stdout), "\n"), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || strings.HasPrefix(f[0], "Z") {
		return ErrProcessGone
	}
	if strings.Join(f[2:7], " ") != p.StartKey || !slices.Equal(f[7:], p.Args) {
		return ErrNotSameProcess
	}
	return sameOwner(p, f[1], cwd)
}

// checkScript prints the ps line of pid $1 (exit 1 when there is none),
// then its working folder (empty when it cannot be read).
const checkScript = `ps -ww -o stat=,user:64=,lstart=,args= -p "$1" || exit 1
readlink /proc/"$1"/cwd || echo`

// Signal re-checks p on the host, then sends sig with kill(1).
func (s *SSH) Signal(ctx context.Context, p Process, sig syscall.Signal) error {
	if err := SignalRefusal(s, p.PID); err != nil {
		return err
	}
	name, err := signalName(sig)
	if err != nil {
		return err
	}
	if err := s.CheckProcess(ctx, p); err != nil {
		return err
	}
	_, err = s.Run(ctx, Cmd{Argv: []string{"kill", "-" + name, strconv.Itoa(p.PID)}, Timeout: 10 * time.Second})
	return err
}

// realpathScript resolves $1 (readlink -f).
const realpathScript = helperPrelude + `exec readlink -f -- "$p"`

// Realpath resolves every symbolic link in path on the host.
func (s *SSH) Realpath(ctx context.Context, path string) (string, error) {
	res, err := s.script(ctx, "realpath", path, realpathScript, []string{path}, nil)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(res.Stdout), "\n"), nil
}
