package jobscmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// TestConcurrentRunStartsOne: N real `richsops jobs run NAME` processes at
// once, without --force, start exactly one instance; the others are
// refused as already running.
func TestConcurrentRunStartsOne(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the job runs as nobody")
	}
	bin := testbin.Build(t, "github.com/richs/richsops", filepath.Join(t.TempDir(), "richsops"))
	for _, n := range []int{4, 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cfgPath, job := runApp(t)
			var wg sync.WaitGroup
			codes := make([]int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(bin, "--config", cfgPath, "--yes", "jobs", "run", job)
					cmd.Run()
					codes[i] = cmd.ProcessState.ExitCode()
				}()
			}
			wg.Wait()
			started := 0
			for _, c := range codes {
				if c == 0 {
					started++
				}
			}
			if inst := instances(t, job); started != 1 || inst != 1 {
				t.Fatalf("%d concurrent runs: %d said started, %d instances running (exit codes %v)", n, started, inst, codes)
			}
		})
	}
}

// runApp is an app folder nobody can enter, a fake manage.py that waits,
// and a config whose job of its own runs it; it returns the config's path
// and the job's name. Every instance is killed at the end.
func runApp(t *testing.T) (string, string) {
	dir, err := os.MkdirTemp("", "richsops-run-") // t.TempDir's parent is closed to nobody
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	job := fmt.Sprintf("check_item_yahoo_cc%d", os.Getpid())
	t.Cleanup(func() {
		for _, p := range listArgv(t, job) {
			syscall.Kill(-p.PID, syscall.SIGKILL)
		}
		os.RemoveAll(dir)
	})
	os.WriteFile(filepath.Join(dir, "manage.py"), []byte("#!/bin/sh\nsleep 300 &\nwait\n"), 0o755)
	cfgPath := writeConfig(dir, `[[jobs]]
name = "`+job+`"
log = "job.log"
`)
	os.Chmod(dir, 0o777) // the log is created by root, then written by nobody
	return cfgPath, job
}

// listArgv is every process running job by argv, wherever and whoever.
func listArgv(t *testing.T, job string) []jobs.Proc {
	cfg := &config.Config{Jobs: []config.Job{{Name: job, Match: jobs.MatchArgv}}}
	ps, err := jobs.List(context.Background(), host.NewLocal(), cfg, []string{job})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// instances counts the job's session leaders: the fake manage.py forks
// its sleep, and between fork and exec the child shows the same argv.
func instances(t *testing.T, job string) int {
	time.Sleep(200 * time.Millisecond)
	ps := listArgv(t, job)
	mine := map[int]bool{}
	for _, p := range ps {
		mine[p.PID] = true
	}
	n := 0
	for _, p := range ps {
		if !mine[p.PPID] {
			n++
		}
	}
	return n
}
