// Package jobtest starts real processes that look like runs of a
// configured job, for the tests of what acts on them (the guard, the brake).
package jobtest

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

// SleepingManage stands in for manage.py: it waits for a sleep child
// (shell builtins only, so no second process shows the same argv).
const SleepingManage = "#!/bin/sh\nsleep 300 &\nwait\n"

// Spawn starts `sh manage.py JOB 2 4 extra...` in dir (the caller's
// manage.py), in its own process group killed at the test's end, and waits
// until h lists it as a process of job. It returns its pid.
func Spawn(t testing.TB, h host.Host, cfg *config.Config, dir, job string, extra ...string) int {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"manage.py", job, "2", "4"}, extra...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait()
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	svctest.Eventually(t, 20*time.Second, "the process is listed", func() bool { return Running(t, h, cfg, job)[cmd.Process.Pid] })
	return cmd.Process.Pid
}

// Running is the set of job's pids on h now.
func Running(t testing.TB, h host.Host, cfg *config.Config, job string) map[int]bool {
	t.Helper()
	procs, err := jobs.List(context.Background(), h, cfg, []string{job})
	if err != nil {
		t.Fatal(err)
	}
	m := map[int]bool{}
	for _, p := range procs {
		m[p.PID] = true
	}
	return m
}
