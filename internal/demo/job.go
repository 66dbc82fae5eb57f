package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// EnvJobSeconds overrides how long a job stand-in runs (tests use a few seconds).
const EnvJobSeconds = "RICHSOPS_DEMO_JOB_SECONDS"

// FindSandbox locates the sandbox of a stand-in: $RICHSOPS_DEMO_DIR, else
// the nearest folder above dir holding run/demo.json.
func FindSandbox(dir string) (*Sandbox, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return Open(d)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "run/demo.json")); err == nil {
			return Open(d)
		}
		if d == filepath.Dir(d) {
			return nil, fmt.Errorf("not inside a richsops demo sandbox (set %s)", EnvDir)
		}
	}
}

// RunJob is the stand-in for `python manage.py COMMAND ARGS...`: it runs
// for a few minutes appending inventory lines to the job's log, as the real
// stock check does through Django logging, and prints a summary on stdout.
// A cancelled ctx (SIGTERM) ends it early.
func RunJob(ctx context.Context, s *Sandbox, args []string, stdout io.Writer) error {
	if len(args) < 2 || !strings.HasSuffix(args[0], "manage.py") {
		return fmt.Errorf("usage: python manage.py COMMAND [ARGS...] (got %q)", args)
	}
	command := args[1]
	logName, ok := jobLogs[command]
	if !ok {
		return fmt.Errorf("Unknown command: '%s'", command)
	}
	logPath := filepath.Join(s.LogDir(), logName)
	if cfg, err := s.Config(); err == nil {
		if j, ok := cfg.Job(command); ok {
			logPath = cfg.JobLogPath(j)
		}
	}
	pid := os.Getpid()
	if err := Register(s, pid, "job", append([]string{"python"}, args...)); err == nil {
		defer Unregister(s, pid)
	}
	dur := 4 * time.Minute
	if v, err := strconv.Atoi(os.Getenv(EnvJobSeconds)); err == nil && v > 0 {
		dur = time.Duration(v) * time.Second
	}
	source := "yahoo"
	if strings.Contains(command, "mercari") {
		source = "mercari"
	}
	lines := NewLines(uint64(time.Now().UnixNano()))
	logger := "inventory." + source
	appendLines(logPath, Django(time.Now(), "INFO", logger, fmt.Sprintf("start %s (pid %d)", strings.Join(args[1:], " "), pid)))
	start := time.Now()
	deadline := time.NewTimer(dur)
	defer deadline.Stop()
	tick := time.NewTicker(700 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			appendLines(logPath, Django(time.Now(), "WARNING", logger, fmt.Sprintf("%s interrupted after %d items (signal)", command, n)))
			return ctx.Err()
		case <-deadline.C:
			summary := fmt.Sprintf("done %s: %d items checked in %s", command, n, time.Since(start).Round(time.Second))
			appendLines(logPath, Django(time.Now(), "INFO", logger, summary))
			fmt.Fprintln(stdout, summary)
			return nil
		case t := <-tick.C:
			n++
			if source == "mercari" && notFound(ctx, s, lines.mercariID()) {
				n += notFoundPerTick - 1
				appendLines(logPath, lines.NotFoundLines(t, notFoundPerTick)...)
				continue
			}
			appendLines(logPath, lines.Inventory(t, source, s.AppDir())...)
		}
	}
}

// appendLines appends one record (its lines) in a single write, reopening
// the file each time so rotation and truncation are followed.
func appendLines(path string, lines ...string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	_, _ = f.WriteString(strings.Join(lines, "\n") + "\n")
	_ = f.Close()
}
