package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PidRecord is one process the sandbox started, kept in D/run/pids so
// that quitting the demo can stop it even when it runs detached (the job
// stand-ins have their own session, like cron's jobs). Start is the
// process start time from /proc, checked before any signal (pid reuse).
type PidRecord struct {
	PID   int      `json:"pid"`
	Start uint64   `json:"start"`
	Role  string   `json:"role"` // run | writer | redis | job | mysqld
	Argv  []string `json:"argv,omitempty"`
}

// StartTime is the process's start time in clock ticks since boot
// (field 22 of /proc/PID/stat).
func StartTime(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces and parentheses: fields start
	// after the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, errors.New("bad /proc stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0, errors.New("short /proc stat")
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// Register records pid (which must be running) under role.
func Register(s *Sandbox, pid int, role string, argv []string) error {
	st, err := StartTime(pid)
	if err != nil {
		return fmt.Errorf("record pid %d: %w", pid, err)
	}
	data, _ := json.Marshal(PidRecord{PID: pid, Start: st, Role: role, Argv: argv})
	if err := os.MkdirAll(s.PidDir(), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.PidDir(), strconv.Itoa(pid)+".json"), data, 0o644)
}

// Unregister forgets pid (a process that ended on its own).
func Unregister(s *Sandbox, pid int) {
	_ = os.Remove(filepath.Join(s.PidDir(), strconv.Itoa(pid)+".json"))
}

// Records lists the recorded processes.
func Records(s *Sandbox) ([]PidRecord, error) {
	entries, err := os.ReadDir(s.PidDir())
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []PidRecord
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.PidDir(), e.Name()))
		if err != nil {
			continue
		}
		var r PidRecord
		if json.Unmarshal(data, &r) == nil && r.PID > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// Alive is true when the recorded process still runs (same pid, same
// start time) and is not a zombie.
func (r PidRecord) Alive() bool {
	st, err := StartTime(r.PID)
	if err != nil || st != r.Start {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(r.PID) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(data), ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(string(data[i+1:])), "Z")
}

func (r PidRecord) signal(sig syscall.Signal) {
	if r.PID <= 1 || r.PID == os.Getpid() || !r.Alive() {
		return
	}
	// A session or group leader (the detached jobs) takes its children along.
	if pg, err := syscall.Getpgid(r.PID); err == nil && pg == r.PID && pg != syscall.Getpgrp() {
		_ = syscall.Kill(-r.PID, sig)
	}
	_ = syscall.Kill(r.PID, sig)
}

// StopAll stops every recorded process except the caller: SIGTERM, up to
// grace for them to go, then SIGKILL. It returns the records still alive
// after that (normally none) and forgets the others.
func StopAll(s *Sandbox, grace time.Duration) []PidRecord {
	recs, _ := Records(s)
	others := recs[:0]
	for _, r := range recs {
		if r.PID != os.Getpid() {
			others = append(others, r)
		}
	}
	return stopRecords(s, others, grace)
}

// stopRecords stops the recorded processes recs as StopAll does.
func stopRecords(s *Sandbox, recs []PidRecord, grace time.Duration) []PidRecord {
	var live []PidRecord
	for _, r := range recs {
		if r.Alive() {
			r.signal(syscall.SIGTERM)
			live = append(live, r)
		} else {
			Unregister(s, r.PID)
		}
	}
	live = waitGone(live, grace)
	for _, r := range live {
		r.signal(syscall.SIGKILL)
	}
	live = waitGone(live, 2*time.Second)
	for _, r := range recs {
		if !contains(live, r.PID) {
			Unregister(s, r.PID)
		}
	}
	return live
}

func waitGone(live []PidRecord, d time.Duration) []PidRecord {
	deadline := time.Now().Add(d)
	for {
		var still []PidRecord
		for _, r := range live {
			if r.Alive() {
				still = append(still, r)
			}
		}
		if len(still) == 0 || time.Now().After(deadline) {
			return still
		}
		time.Sleep(50 * time.Millisecond)
		live = still
	}
}

func contains(rs []PidRecord, pid int) bool {
	for _, r := range rs {
		if r.PID == pid {
			return true
		}
	}
	return false
}
