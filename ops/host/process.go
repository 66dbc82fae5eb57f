package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one running process as a host lists it.
type Process struct {
	PID     int           `json:"pid"`
	PPID    int           `json:"ppid,omitempty"`
	User    string        `json:"user"`
	Start   time.Time     `json:"start"`
	Elapsed time.Duration `json:"elapsed_s"`
	CPU     float64       `json:"cpu_percent"` // over its lifetime, like ps %CPU
	RSS     int64         `json:"rss_bytes"`
	Args    []string      `json:"args"`
	Dir     string        `json:"dir,omitempty"` // working folder; "" when it cannot be read
	// StartKey identifies this process and not a later one with the same
	// pid: the start time in clock ticks (local) or ps lstart (remote).
	StartKey string `json:"-"`
}

// ProcessQuery says which processes Processes returns.
type ProcessQuery struct {
	// Word, when set, is a cheap first cut: only processes whose command
	// line contains it are looked at further.
	Word string
	// Keep, when set, decides on a process by its argv.
	Keep func(argv []string) bool
}

func (q ProcessQuery) keep(argv []string) bool { return q.Keep == nil || q.Keep(argv) }

// The refusals of Signal and the answers of CheckProcess.
var (
	// ErrProcessGone: the process exited (or is a zombie).
	ErrProcessGone = errors.New("process gone")
	// ErrNotSameProcess: the pid now belongs to another process (another
	// start time or command line): it is not signalled.
	ErrNotSameProcess = errors.New("no longer the process listed (start time or command changed: pid reused?)")
	// ErrInitProcess: pid 1 (or below) is never signalled.
	ErrInitProcess = errors.New("never signalled")
	// ErrSelfProcess: richsops does not signal itself.
	ErrSelfProcess = errors.New("richsops itself")
)

// SignalRefusal is why p may never be signalled on h, nil when it may:
// pid 1 and below anywhere, richsops' own pid on this machine.
func SignalRefusal(h Host, pid int) error {
	switch {
	case pid <= 1:
		return ErrInitProcess
	case h.IsLocal() && pid == os.Getpid():
		return ErrSelfProcess
	}
	return nil
}

// BootTime is h's boot time (btime of /proc/stat); this machine's is read once.
func BootTime(ctx context.Context, h Host) (time.Time, error) {
	if h.IsLocal() {
		if t := bootTimeLocal(); !t.IsZero() {
			return t, nil
		}
	}
	data, err := h.ReadFile(ctx, "/proc/stat")
	if err != nil {
		return time.Time{}, err
	}
	return ParseBootTime(data)
}

var bootTimeLocal = sync.OnceValue(func() time.Time {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	t, _ := ParseBootTime(data)
	return t
})

// ParseBootTime finds the btime line of /proc/stat.
func ParseBootTime(data []byte) (time.Time, error) {
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			return time.Unix(s, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("no btime in /proc/stat")
}

// signalName is the kill(1) name of the signals richsops sends.
func signalName(sig syscall.Signal) (string, error) {
	switch sig {
	case syscall.SIGTERM:
		return "TERM", nil
	case syscall.SIGKILL:
		return "KILL", nil
	case syscall.SIGINT:
		return "INT", nil
	case syscall.SIGHUP:
		return "HUP", nil
	case 0:
		return "0", nil
	}
	return "", fmt.Errorf("signal %d: not one richsops sends", int(sig))
}

// Parent reads pid's argv and parent pid from /proc on h (through ReadFile,
// so on any host); ok is false when it is gone or cannot be read.
func Parent(ctx context.Context, h Host, pid int) (argv []string, ppid int, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	cmd, err := h.ReadFile(ctx, dir+"/cmdline")
	if err != nil {
		return nil, 0, false
	}
	stat, err := h.ReadFile(ctx, dir+"/stat")
	if err != nil {
		return nil, 0, false
	}
	st, ok := parseStat(stat)
	if !ok {
		return nil, 0, false
	}
	return splitNUL(cmd), st.ppid, true
}
