package watch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// fakeManage stands in for manage.py: `sh manage.py JOB MODE`. It writes
// stamped log lines to stdout (the job's log, as cron's >> does), then
// sleeps (MODE sleep, tree: with a worker of the same argv, errors: after
// an error and a traceback) or exits 3 (fail).
const fakeManage = `#!/bin/sh
now() { date '+%Y-%m-%d %H:%M:%S'; }
echo "$(now),001 INFO start $1"
case "$2" in
fail)
	echo "$(now),002 ERROR boom"
	echo "Traceback (most recent call last):"
	echo "$(now),003 WARNING amazon answered 503, retrying"
	exit 3 ;;
tree) sh "$0" "$1" sleep & ;;
errors)
	echo "$(now),002 ERROR boom"
	echo "Traceback (most recent call last):"
	echo "$(now),003 INFO carrying on" ;;
esac
sleep 300 &
wait
`

// Other suites on the machine run fake stock checks of the stock names:
// ours get a suffix of their own.
var suffix = fmt.Sprintf("_w%d", os.Getpid())

func newWatcher(t *testing.T) (*Watcher, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "manage.py"), []byte(fakeManage), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.App.Dir, cfg.App.LogDir, cfg.App.Python = dir, filepath.Join(dir, "logs"), "/bin/sh"
	cfg.App.User = "root"
	if os.Geteuid() != 0 {
		cfg.App.User = os.Getenv("USER")
	}
	cfg.LockDir = filepath.Join(dir, "locks")
	cfg.History.Path = filepath.Join(dir, "history.db")
	for i := range cfg.Jobs {
		cfg.Jobs[i].Name += suffix
	}
	s, err := history.OpenWriter(context.Background(), cfg.History.Path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &Watcher{Cfg: cfg, Host: host.NewLocal(), Store: s, SkipDB: true}, cfg
}

func job(cfg *config.Config, i int) string { return cfg.Jobs[i].Name }

// spawn starts the fake job as cron would, output appended to its log.
func spawn(t *testing.T, cfg *config.Config, name, mode string) *exec.Cmd {
	t.Helper()
	j, _ := cfg.Job(name)
	logf, err := os.OpenFile(cfg.JobLogPath(j), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command("/bin/sh", "manage.py", name, mode)
	cmd.Dir, cmd.Stdout, cmd.Stderr = cfg.App.Dir, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	return cmd
}

// killAndEnd SIGKILLs cmd's process group from outside, observes until
// its run ends and returns the runs of job.
func killAndEnd(t *testing.T, w *Watcher, cmd *exec.Cmd, job string) []history.Run {
	t.Helper()
	ctx := context.Background()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	eventually(t, "the end", func() bool {
		_, e, err := w.Observe(ctx, time.Now())
		return err == nil && len(e) == 1
	})
	runs, _ := w.Store.Runs(ctx, history.RunsQuery{Job: job})
	return runs
}

func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// A run observed from start to end, killed by SIGKILL from outside; its
// worker of the same argv is part of the run, not a second one.
func TestObserveStartAndOutsideKill(t *testing.T) {
	ctx := context.Background()
	w, cfg := newWatcher(t)
	name := job(cfg, 1)
	cmd := spawn(t, cfg, name, "tree")
	eventually(t, "the worker", func() bool {
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
		return len(kids) > 0
	})
	time.Sleep(100 * time.Millisecond)
	started, ended, err := w.Observe(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(started) != 1 || started[0].PID != cmd.Process.Pid || len(ended) != 0 {
		t.Fatalf("started %+v ended %+v, want the one run of pid %d", started, ended, cmd.Process.Pid)
	}
	if started[0].Trigger != history.TriggerUnknown || started[0].Start.IsZero() {
		t.Errorf("run %+v", started[0])
	}
	// Seen again: still the same run.
	if s2, _, _ := w.Observe(ctx, time.Now()); len(s2) != 0 {
		t.Errorf("a second observation started %+v", s2)
	}
	runs := killAndEnd(t, w, cmd, name)
	if len(runs) != 1 || runs[0].End.IsZero() || runs[0].ExitCode != nil {
		t.Fatalf("runs %+v, want one ended run with no exit code", runs)
	}
}

// The waiting parent records the exit code of a failing run and the
// counts of its log lines; the watch service, seeing the same process,
// does not record it twice.
func TestExecRecordsExitCodeAndCounts(t *testing.T) {
	ctx := context.Background()
	w, cfg := newWatcher(t)
	name := job(cfg, 1)
	j, _ := cfg.Job(name)
	os.WriteFile(cfg.JobLogPath(j), []byte("2020-01-01 00:00:00,000 ERROR an old run's error\n"), 0o644)
	logf, _ := os.OpenFile(cfg.JobLogPath(j), os.O_WRONLY|os.O_APPEND, 0)
	defer logf.Close()
	e := &Exec{Cfg: cfg, Host: w.Host, Store: w.Store, Job: name, Argv: []string{"/bin/sh", filepath.Join(cfg.App.Dir, "manage.py"), name, "fail"},
		Trigger: history.TriggerCron, Stdout: logf, Stderr: logf}
	code, err := e.Run(ctx)
	if err != nil || code != 3 {
		t.Fatalf("exit %d %v, want 3", code, err)
	}
	if s, _, _ := w.Observe(ctx, time.Now()); len(s) != 0 {
		t.Errorf("watch started %+v", s)
	}
	runs, _ := w.Store.Runs(ctx, history.RunsQuery{Job: name, Argv: true})
	if len(runs) != 1 {
		t.Fatalf("runs %+v", runs)
	}
	r := runs[0]
	if r.ExitCode == nil || *r.ExitCode != 3 || r.Trigger != history.TriggerCron || r.Source != history.SourceExec || r.End.IsZero() {
		t.Errorf("run %+v", r)
	}
	// ERROR and the Traceback line (unstamped, goes with the ERROR line);
	// the old run's ERROR before the start is not this run's.
	if r.Counts["errors"] != 2 || r.Counts["amazon_503"] != 1 {
		t.Errorf("counts %v, want errors 2, amazon_503 1", r.Counts)
	}
	judged := history.Judge(nil, runs, func(string) time.Duration { return 0 })
	if !slices.Contains(judged[0].Flags, history.FlagFailed) {
		t.Errorf("flags %v", judged[0].Flags)
	}
}

// A wrapped run killed by SIGKILL from outside: 128+9, killed by the signal.
func TestExecKilledFromOutside(t *testing.T) {
	ctx := context.Background()
	w, cfg := newWatcher(t)
	name := job(cfg, 0)
	e := &Exec{Cfg: cfg, Host: w.Host, Store: w.Store, Job: name, Argv: []string{"/bin/sh", filepath.Join(cfg.App.Dir, "manage.py"), name, "sleep"}}
	done := make(chan int)
	go func() { c, _ := e.Run(ctx); done <- c }()
	var pid int
	eventually(t, "the run recorded", func() bool {
		open, _ := w.Store.OpenRuns(ctx, "local")
		if len(open) == 1 {
			pid = open[0].PID
		}
		return pid != 0
	})
	syscall.Kill(pid, syscall.SIGKILL)
	if c := <-done; c != 137 {
		t.Errorf("exit %d, want 137", c)
	}
	runs, _ := w.Store.Runs(ctx, history.RunsQuery{Job: name})
	if len(runs) != 1 || runs[0].KilledBy != "signal killed" || runs[0].Trigger != history.TriggerCLI {
		t.Fatalf("runs %+v", runs)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
}

// Two jobs writing one log at the same time: both runs are marked overlap.
func TestSharedLogOverlap(t *testing.T) {
	ctx := context.Background()
	w, cfg := newWatcher(t)
	check, update := job(cfg, 1), job(cfg, 3) // both inventory-mercari.log
	a := spawn(t, cfg, check, "sleep")
	b := spawn(t, cfg, update, "sleep")
	eventually(t, "both started", func() bool {
		s, _, _ := w.Observe(ctx, time.Now())
		open, _ := w.Store.OpenRuns(ctx, "local")
		return len(s) >= 0 && len(open) == 2
	})
	for _, c := range []*exec.Cmd{a, b} {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		c.Wait()
	}
	eventually(t, "both ended", func() bool {
		w.Observe(ctx, time.Now())
		open, _ := w.Store.OpenRuns(ctx, "local")
		return len(open) == 0
	})
	runs, _ := w.Store.Runs(ctx, history.RunsQuery{})
	if len(runs) != 2 || !runs[0].Overlap || !runs[1].Overlap {
		t.Errorf("runs %+v, want both marked overlap", runs)
	}
}

// One tick writes the samples of the local box.
func TestOnceSamples(t *testing.T) {
	ctx := context.Background()
	w, _ := newWatcher(t)
	tk := w.Once(ctx)
	if tk.Samples < 4 {
		t.Fatalf("tick %+v", tk)
	}
	ss, _ := w.Store.Samples(ctx, history.SamplesQuery{Metric: history.MetricDiskRoot})
	if len(ss) != 1 || ss[0].Value <= 0 || ss[0].Value > 100 {
		t.Errorf("samples %+v", ss)
	}
}

// A job started under cron (a parent named cron, through cron's shell) is
// recorded with trigger cron.
func TestObserveCronTrigger(t *testing.T) {
	w, cfg := newWatcher(t)
	if started := observeUnderCron(t, w, cfg); len(started) != 1 || started[0].Trigger != history.TriggerCron {
		t.Errorf("started %+v, want one run with trigger cron", started)
	}
}

// observeUnderCron starts a job under a parent named cron and returns the
// runs w sees start until it sees one. cron's own argv holds no job words
// (the ssh listing splits argv on spaces).
func observeUnderCron(t *testing.T, w *Watcher, cfg *config.Config) []history.Run {
	t.Helper()
	name := job(cfg, 0)
	j, _ := cfg.Job(name)
	script := filepath.Join(t.TempDir(), "cron.sh")
	os.WriteFile(script, []byte("/bin/sh manage.py "+name+" sleep >> "+cfg.JobLogPath(j)+" 2>&1\n:\n"), 0o644)
	cmd := exec.Command("bash", "-c", `exec -a cron /bin/sh "$0"`, script)
	cmd.Dir = cfg.App.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	var started []history.Run
	eventually(t, "the run", func() bool {
		s, _, _ := w.Observe(context.Background(), time.Now())
		started = append(started, s...)
		return len(started) > 0
	})
	return started
}

// Over ssh the watcher samples load and memory and finds cron among a
// run's ancestors as it does here: both read /proc through the Host.
func TestSampleAndTriggerOverSSH(t *testing.T) {
	ctx := context.Background()
	w, cfg := newWatcher(t)
	srv := sshtest.StartT(t)
	h, err := host.NewSSH(srv.Entry("watched"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	w.Host = h
	ss, errs := w.Sample(ctx, time.Now())
	got := map[string]float64{}
	for _, s := range ss {
		got[s.Metric] = s.Value
	}
	if _, ok := got[history.MetricLoad1]; !ok || got[history.MetricMemPercent] <= 0 || got[history.MetricMemPercent] > 100 {
		t.Errorf("samples over ssh %+v, errors %q: want load and memory", ss, errs)
	}
	started := observeUnderCron(t, w, cfg)
	if len(started) != 1 || started[0].Trigger != history.TriggerCron {
		t.Errorf("started over ssh %+v, want one run with trigger cron", started)
	}
}

// A run the watch service first sees a while after its start: the lines it
// wrote before that first tick count too. Its log already holds older
// lines (errors of other runs, one stamped just before it started); the
// log is read back from its end in small pieces (a short chunk here) to
// the first line of the run.
func TestObserveLateCountsFromStart(t *testing.T) {
	defer func(n int64) { logBackChunk = n }(logBackChunk)
	logBackChunk = 64
	ctx := context.Background()
	w, cfg := newWatcher(t)
	name := job(cfg, 0)
	j, _ := cfg.Job(name)
	var pre []byte
	old := time.Now().Add(-time.Hour)
	for i := range 40 {
		pre = fmt.Appendf(pre, "%s,%03d ERROR an older run's error\nTraceback (most recent call last):\n", old.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05"), i)
	}
	pre = fmt.Appendf(pre, "%s,999 ERROR just before\n", time.Now().Add(-10*time.Second).Format("2006-01-02 15:04:05"))
	if err := os.WriteFile(cfg.JobLogPath(j), pre, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := spawn(t, cfg, name, "errors")
	eventually(t, "the run's lines", func() bool {
		b, _ := os.ReadFile(cfg.JobLogPath(j))
		return bytes.Contains(b, []byte("carrying on"))
	})
	started, _, err := w.Observe(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(started) != 1 || started[0].LogFrom != int64(len(pre)) {
		t.Fatalf("started %+v, want one run whose lines begin at %d", started, len(pre))
	}
	runs := killAndEnd(t, w, cmd, name)
	if len(runs) != 1 || runs[0].Counts["errors"] != 2 {
		t.Fatalf("runs %+v, want one with its error and traceback counted (2)", runs)
	}
}

// LogFromStart on logs of every shape, read back in pieces shorter than
// a line.
func TestLogFromStart(t *testing.T) {
	defer func(n int64) { logBackChunk = n }(logBackChunk)
	logBackChunk = 16
	start := time.Date(2026, 12, 1, 3, 0, 0, 0, time.Local)
	line := func(d time.Duration, text string) string {
		return start.Add(d).Format("2006-01-02 15:04:05") + ",000 " + text + "\n"
	}
	before, at, after := line(-time.Minute, "INFO older"), line(0, "INFO start"), line(time.Second, "ERROR boom")
	cont := "Traceback (most recent call last):\n"
	cases := []struct {
		name, log string
		want      int
	}{
		{"empty", "", 0},
		{"older lines, then the run's", before + cont + before + at + after, 2*len(before) + len(cont)},
		{"only the run's", at + cont + after, 0},
		{"none of the run's yet", before + cont, len(before + cont)},
		{"unstamped lines only", cont + cont, 2 * len(cont)},
		{"a line stamped in the same second", line(-time.Minute, "x") + start.Add(300*time.Millisecond).Format("2006-01-02 15:04:05") + ",300 y\n", len(line(-time.Minute, "x"))},
	}
	h := host.NewLocal()
	for _, tc := range cases {
		p := filepath.Join(t.TempDir(), "job.log")
		os.WriteFile(p, []byte(tc.log), 0o644)
		if got := LogFromStart(context.Background(), h, p, start.Add(200*time.Millisecond)); got != int64(tc.want) {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := LogFromStart(context.Background(), h, filepath.Join(t.TempDir(), "none.log"), start); got != -1 {
		t.Errorf("no log: %d, want -1", got)
	}
}
