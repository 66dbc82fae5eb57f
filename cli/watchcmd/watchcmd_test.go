package watchcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

const fakeManage = `#!/bin/sh
echo "$(date '+%Y-%m-%d %H:%M:%S'),001 ERROR $1 failed"
[ "$2" = fail ] && exit 3
sleep 300 &
wait
`

type fixture struct {
	dir, cfg, db, log, job string
}

// newFixture is an app folder with a fake manage.py, a crontab, an
// index-linux that cannot be healthy, and a config pointing at them.
func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{dir: dir, cfg: filepath.Join(dir, "config.toml"), db: filepath.Join(dir, "history.db"),
		log: filepath.Join(dir, "job.log"), job: fmt.Sprintf("check_item_mercari_tw%d", os.Getpid())}
	os.WriteFile(filepath.Join(dir, "manage.py"), []byte(fakeManage), 0o755)
	os.WriteFile(filepath.Join(dir, "crontab"), []byte("0 3 * * * root python manage.py "+f.job+"\n"), 0o644)
	closed := "127.0.0.1:" + strconv.Itoa(freeport.For(t))
	os.WriteFile(f.cfg, []byte(`audit_log = "`+dir+`/audit.jsonl"
state_dir = "`+dir+`/state"
lock_dir = "`+dir+`/locks"
[app]
dir = "`+dir+`"
log_dir = "`+dir+`"
user = "root"
python = "/bin/sh"
[crontab]
path = "`+dir+`/crontab"
reload = ["true"]
[[jobs]]
name = "`+f.job+`"
log = "job.log"
guard = "index-linux"
[guard]
jobs = ["`+f.job+`"]
interval = "1s"
state_file = "`+dir+`/guard.json"
[watch]
interval = "1s"
checks_interval = "1s"
[history]
path = "`+f.db+`"
busy_timeout = "2s"
[public]
dir = "`+dir+`"
[database]
dsn = "root@unix(`+dir+`/no.sock)/"
datadir = "`+dir+`"
my_cnf = "`+dir+`/my.cnf"
timeout = "1s"
[index_linux]
health_url = "http://`+closed+`/health"
redis = "`+closed+`"
[[services]]
name = "index-linux"
kind = "pm2"
pm2 = ["false"]
`), 0o644)
	return f
}

func (f fixture) main(args ...string) (int, string) {
	var out, errb bytes.Buffer
	code := cli.Main(append([]string{"--config", f.cfg}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String() + errb.String()
}

// Without a database the history commands say how to start it; with one,
// `jobs runs --json` has exactly the documented fields.
func TestRunsJSONAndNoDatabase(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{{"jobs", "runs"}, {"history", "--json"}} {
		if code, out := f.main(args...); code != 1 || !strings.Contains(out, "start `richsops watch`") {
			t.Errorf("%v without a database: %d %s", args, code, out)
		}
	}
	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	now := time.Now()
	var runs []history.Run
	for i := 0; i < 6; i++ {
		st := now.Add(time.Duration(i-7) * time.Hour)
		runs = append(runs, history.Run{Job: f.job, Host: "local", Start: st, End: st.Add(10 * time.Minute), ExitCode: &zero, Trigger: history.TriggerCron, User: "root"})
	}
	st := now.Add(-time.Hour)
	runs = append(runs, history.Run{Job: f.job, Host: "local", Start: st, End: st.Add(time.Minute), ExitCode: &zero, Trigger: history.TriggerCLI, User: "root", SudoUser: "hai", Counts: map[string]int{"errors": 2}})
	s.AddRuns(context.Background(), runs)
	s.Close()

	code, out := f.main("jobs", "runs", f.job, "--since", "2h", "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("%d %v %s", code, err, out)
	}
	if len(got) != 1 {
		t.Fatalf("--since 2h: %d runs, want 1", len(got))
	}
	var keys []string
	for k := range got[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"counts", "duration_s", "end", "exit_code", "flags", "host", "job", "killed_by", "start", "trigger", "user"}
	if !slices.Equal(keys, want) {
		t.Errorf("fields %v, want %v", keys, want)
	}
	r := got[0]
	if r["duration_s"] != 60.0 || r["exit_code"] != 0.0 || r["user"] != "root (sudo: hai)" || r["trigger"] != "cli" {
		t.Errorf("run %v", r)
	}
	flags, _ := r["flags"].([]any)
	if len(flags) != 1 || flags[0] != "too_short" {
		t.Errorf("flags %v, want too_short (a minute against a 10-minute median)", flags)
	}
	if code, out := f.main("jobs", "runs"); code != 0 || !strings.Contains(out, "too_short") {
		t.Errorf("table: %d %s", code, out)
	}
	if code, out := f.main("jobs", "runs", "nope"); code != 2 {
		t.Errorf("unknown job: %d %s", code, out)
	}
}

// The product binary: a crontab-style wrapped line with a non-zero exit is
// recorded with its exit code and trigger cron; the watch service
// SIGKILLed in the middle of its work leaves a database that opens intact,
// and the guard still runs.
func TestWrappedCronRunAndKilledWatch(t *testing.T) {
	f := newFixture(t)
	bin := testbin.Build(t, "github.com/richs/richsops", filepath.Join(t.TempDir(), "richsops"))
	line := fmt.Sprintf("%s --config %s jobs exec %s -- /bin/sh %s/manage.py %s fail >> %s 2>&1", bin, f.cfg, f.job, f.dir, f.job, f.log)
	cron := exec.Command("/bin/sh", "-c", line)
	cron.Dir, cron.Env = f.dir, []string{"PATH=/usr/bin:/bin", "HOME=/root"} // cron's environment: no TERM
	err := cron.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("wrapped line: %v, want exit 3", err)
	}

	w := exec.Command(bin, "--config", f.cfg, "watch", "--interval", "1s")
	var werr bytes.Buffer
	w.Stdout, w.Stderr = &werr, &werr
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	w.Process.Signal(syscall.SIGKILL)
	w.Wait()

	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil || s.Notice != "" {
		t.Fatalf("after SIGKILL: %v %q\nwatch said: %s", err, s.Notice, werr.String())
	}
	n := 0
	s.DB().QueryRow("SELECT COUNT(*) FROM samples").Scan(&n)
	evs, _ := s.Events(context.Background(), history.EventGuard, time.Unix(0, 0))
	s.Close()
	if n == 0 || len(evs) == 0 {
		t.Errorf("samples %d, guard events %d: the watch service wrote nothing\n%s", n, len(evs), werr.String())
	}

	out, _, code := testbin.Run(t, bin, nil, "--config", f.cfg, "jobs", "runs", "--json")
	var runs []RunJSON
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != 0 || len(runs) != 1 {
		t.Fatalf("runs: %d %v %s", code, err, out)
	}
	if r := runs[0]; r.ExitCode == nil || *r.ExitCode != 3 || r.Trigger != "cron" || r.Counts["errors"] != 1 {
		t.Errorf("wrapped run %+v", r)
	}
	// The lock died with the watch service: guard --once runs (1 = still
	// counting an unhealthy index-linux; 3 would be guard unable to run).
	if out, errs, code := testbin.Run(t, bin, nil, "--config", f.cfg, "guard", "--once"); code == 3 {
		t.Errorf("guard after the watch died: %d %s %s", code, out, errs)
	}

	// Run now goes through the waiting parent: killed from outside, its
	// run has the signal's status and trigger cli.
	if out, errs, code := testbin.Run(t, bin, []string{"RICHSOPS_CONFIRM=OVERRIDE"}, "--config", f.cfg, "--yes", "jobs", "run", "--override", f.job); code != 0 {
		t.Fatalf("jobs run: %d %s %s", code, out, errs)
	}
	pid := openRunPID(t, f)
	syscall.Kill(pid, syscall.SIGKILL)
	last := endedRun(t, bin, f, 2)
	if last.ExitCode == nil || *last.ExitCode != 137 || last.KilledBy != "signal killed" || last.Trigger != "cli" || !slices.Contains(last.Flags, "killed") {
		t.Errorf("run now, killed: %+v", last)
	}

	// Stopped by richsops: the run says who.
	if out, errs, code := testbin.Run(t, bin, []string{"RICHSOPS_CONFIRM=OVERRIDE"}, "--config", f.cfg, "--yes", "jobs", "run", "--override", f.job); code != 0 {
		t.Fatalf("jobs run: %d %s %s", code, out, errs)
	}
	pid = openRunPID(t, f)
	t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) })
	if out, errs, code := testbin.Run(t, bin, nil, "--config", f.cfg, "--yes", "jobs", "kill", f.job); code != 0 {
		t.Fatalf("jobs kill: %d %s %s", code, out, errs)
	}
	last = endedRun(t, bin, f, 3)
	if last.ExitCode == nil || *last.ExitCode != 143 || last.KilledBy != "richsops jobs.kill" {
		t.Errorf("run now, stopped by jobs kill: %+v", last)
	}
}

// openRunPID waits for the one open run and returns its pid.
func openRunPID(t *testing.T, f fixture) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r, err := history.OpenReader(context.Background(), f.db, history.Options{}); err == nil {
			open, _ := r.OpenRuns(context.Background(), "local")
			r.Close()
			if len(open) == 1 {
				return open[0].PID
			}
		}
	}
	t.Fatal("run now was not recorded")
	return 0
}

// endedRun waits until the n-th run has ended and returns it.
func endedRun(t *testing.T, bin string, f fixture, n int) RunJSON {
	t.Helper()
	var out string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, _, _ = testbin.Run(t, bin, nil, "--config", f.cfg, "jobs", "runs", "--json")
		var runs []RunJSON
		json.Unmarshal([]byte(out), &runs)
		if len(runs) == n && runs[n-1].End != nil {
			return runs[n-1]
		}
	}
	t.Fatalf("run %d never ended: %s", n, out)
	return RunJSON{}
}

// The hand encoder of `jobs runs --json` writes what PrintJSON would.
func TestRunsJSONLikePrintJSON(t *testing.T) {
	end := time.Date(2026, 12, 1, 3, 4, 5, 600_000_000, time.Local)
	d, code := 61.25, 3
	cases := [][]RunJSON{
		{},
		{{Job: "check_item_mercari", Host: "local", Start: end.Add(-time.Minute), Trigger: "cron", User: "root", Counts: map[string]int{}, Flags: []string{"running"}}},
		{{Job: "a<b>&\"c\\", Host: "db\x1b[31m1", Start: end.Add(-time.Hour), End: &end, DurationS: &d, ExitCode: &code, Trigger: "cli",
			User: "root (sudo: hai)", KilledBy: "signal killed", Counts: map[string]int{"zeta": 1, "errors": 2, "取り下げ": 3}, Flags: []string{"failed", "killed"}},
			{Job: "x\xff", Host: "local", Start: end, Counts: map[string]int{}, Flags: []string{}}},
	}
	// Durations and times as encoding/json writes them: 'e' for tiny and
	// huge magnitudes, whole seconds without a point, zones and nanoseconds.
	zone := time.FixedZone("JST", 9*3600)
	for _, f := range []float64{0, 600, 61.25, 0.1, 1e-7, 1.5e-9, 1e21, 123456789.125, 2.5e-6, 1e20} {
		d, e := f, end.In(zone).Add(time.Duration(f)*time.Nanosecond)
		cases = append(cases, []RunJSON{{Job: "j", Start: end.In(time.UTC).Truncate(time.Second), End: &e, DurationS: &d, Counts: map[string]int{}, Flags: []string{}}})
	}
	for i, runs := range cases {
		var want, got bytes.Buffer
		env := cli.NewEnv(cli.Globals{JSON: true}, config.Default())
		env.Stdout = &want
		env.PrintJSON(runs)
		if err := writeRunsJSON(&got, runs); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("case %d:\n got %s\nwant %s", i, got.String(), want.String())
		}
	}
}

// jobs wrap and unwrap edit the crontab through the gate, byte-exact, and
// pause and resume still find the wrapped line.
func TestWrapUnwrapCrontab(t *testing.T) {
	f := newFixture(t)
	tab := filepath.Join(f.dir, "crontab")
	orig, _ := os.ReadFile(tab)
	if code, out := f.main("--yes", "jobs", "wrap", f.job); code != 0 {
		t.Fatalf("wrap: %d %s", code, out)
	}
	b, _ := os.ReadFile(tab)
	want := strings.Replace(string(orig), "root python", "root richsops jobs exec "+f.job+" -- python", 1)
	if string(b) != want {
		t.Fatalf("wrapped crontab %q, want %q", b, want)
	}
	for _, sub := range []string{"pause", "resume"} {
		if code, out := f.main("--yes", "jobs", sub, f.job); code != 0 {
			t.Fatalf("%s a wrapped line: %d %s", sub, code, out)
		}
	}
	if b, _ := os.ReadFile(tab); string(b) != want {
		t.Fatalf("after pause and resume %q", b)
	}
	if code, out := f.main("--yes", "jobs", "unwrap", f.job); code != 0 {
		t.Fatalf("unwrap: %d %s", code, out)
	}
	if b, _ := os.ReadFile(tab); string(b) != string(orig) {
		t.Fatalf("unwrapped %q, want %q", b, orig)
	}
	if code, out := f.main("--readonly", "--yes", "jobs", "wrap", f.job); code != 1 || !strings.Contains(out, "read-only") {
		t.Errorf("read-only wrap: %d %s", code, out)
	}
	if b, _ := os.ReadFile(tab); string(b) != string(orig) {
		t.Error("read-only wrap changed the crontab")
	}
	// With a history database, each action's outcome is an event too.
	s, err := history.OpenWriter(context.Background(), f.db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, out := f.main("--yes", "jobs", "wrap", f.job); code != 0 {
		t.Fatalf("wrap: %d %s", code, out)
	}
	r, _ := history.OpenReader(context.Background(), f.db, history.Options{})
	evs, _ := r.Events(context.Background(), history.EventAction, time.Unix(0, 0))
	r.Close()
	if len(evs) != 1 || evs[0].Subject != "jobs.wrap "+f.job+"@local" || evs[0].Level != "ok" {
		t.Errorf("action events %+v", evs)
	}
	if code, out := f.main("history", "--events"); code != 0 || !strings.Contains(out, "jobs.wrap "+f.job+"@local") {
		t.Errorf("history --events: %d %s", code, out)
	}
	audit, _ := os.ReadFile(filepath.Join(f.dir, "audit.jsonl"))
	if !strings.Contains(string(audit), `"jobs.wrap"`) || !strings.Contains(string(audit), `"jobs.unwrap"`) {
		t.Errorf("audit: %s", audit)
	}
}

// A full disk under the database stops history writes with a clear error;
// the guard's probe in the same tick still runs and counts.
func TestWatchOnFullDiskStillGuards(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for tmpfs")
	}
	f := newFixture(t)
	full := filepath.Join(f.dir, "full")
	os.Mkdir(full, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", full).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", full).Run() })
	os.WriteFile(filepath.Join(full, "filler"), make([]byte, 64<<10), 0o644) // fills it (short write at the end)
	cfg, _ := os.ReadFile(f.cfg)
	os.WriteFile(f.cfg, []byte(strings.Replace(string(cfg), `path = "`+f.db+`"`, `path = "`+full+`/history.db"`, 1)), 0o644)

	code, out := f.main("watch", "--once")
	if !strings.Contains(out, "index-linux UNHEALTHY (1/3)") {
		t.Errorf("the guard did not probe: %d %s", code, out)
	}
	if !strings.Contains(out, "disk full, history writes stopped") {
		t.Errorf("no clear full-disk message: %s", out)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (guard counting, history failed)", code)
	}
	st, _ := os.ReadFile(filepath.Join(f.dir, "guard.json"))
	if !strings.Contains(string(st), `"consecutive_failures": 1`) {
		t.Errorf("guard state %s", st)
	}
}

// jobs exec runs its job here even when the config's default host is
// another machine (cron starts it on this one); a --host naming another
// machine is refused.
func TestExecIsThisMachinesWhateverTheDefaultHost(t *testing.T) {
	f := newFixture(t)
	b, _ := os.ReadFile(f.cfg)
	os.WriteFile(f.cfg, append([]byte("host = \"db1\"\n"), append(b, []byte("[[hosts]]\nname = \"db1\"\nssh = \"root@db1.example\"\n")...)...), 0o644)
	t.Setenv("TERM", "xterm")
	if code, out := f.main("jobs", "exec", f.job, "--", "/bin/sh", "-c", "exit 4"); code != 4 {
		t.Errorf("exec with a remote default host: %d %s, want the job's exit 4", code, out)
	}
	if code, out := f.main("--host", "db1", "jobs", "exec", f.job, "--", "/bin/true"); code != 2 || !strings.Contains(out, "this machine only") {
		t.Errorf("exec --host db1: %d %s, want the usage refusal", code, out)
	}
}

// One watch service at a time: a second one refuses at once, and the lock
// is free again once the first lets go.
func TestSecondWatchRefused(t *testing.T) {
	f := newFixture(t)
	cfg, err := config.Load(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := lockWatch(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockWatch(cfg); err == nil || !strings.Contains(err.Error(), "another richsops watch is running") {
		t.Fatalf("second watch: %v", err)
	}
	unlock()
	again, err := lockWatch(cfg)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}

// TestRunsOfAnotherHost: `--host db1 jobs runs` asks db1's own richsops
// over ssh (a real binary behind a private sshd; here it reads the same
// database) and prints what a local listing there prints, JSON and table;
// with no richsops on db1 it says so and what to do.
func TestRunsOfAnotherHost(t *testing.T) {
	f := newFixture(t)
	bin := filepath.Join(t.TempDir(), "bin")
	os.Mkdir(bin, 0o755)
	srv := sshtest.StartEnvT(t, "PATH="+bin+":/usr/bin:/bin", config.EnvVar+"="+f.cfg)
	conf, _ := os.ReadFile(f.cfg)
	e := srv.Entry("db1")
	e.Options = append(e.Options, "-o", "ControlMaster=no") // no shared connection outliving the test
	os.WriteFile(f.cfg, append(conf, "\n"+sshtest.TOML(e, "")...), 0o644)

	if code, out := f.main("--host", "db1", "jobs", "runs"); code != 1 ||
		!strings.Contains(out, "run history of db1: richsops is not installed there; install it and run `richsops watch` there") {
		t.Errorf("no richsops on db1: %d %s", code, out)
	}
	testbin.Build(t, "github.com/richs/richsops", filepath.Join(bin, "richsops"))
	if code, out := f.main("--host", "db1", "jobs", "runs"); code != 1 || !strings.Contains(out, "run history of db1: ") || !strings.Contains(out, "no history yet") {
		t.Errorf("no database on db1: %d %s", code, out)
	}
	code := func(c int) *int { return &c }
	now := time.Now()
	var runs []history.Run
	for i := range 8 {
		st := now.Add(time.Duration(i-9) * time.Hour)
		runs = append(runs, history.Run{Job: f.job, Host: "db1", Start: st, End: st.Add(10*time.Minute + time.Duration(i)*time.Second), ExitCode: code(i % 5),
			Trigger: history.TriggerCron, User: "root", SudoUser: []string{"", "hai"}[i%2], Counts: map[string]int{"errors": i, "withdrawn": 2 * i}})
	}
	runs = append(runs, history.Run{Job: f.job, Host: "db1", Start: now.Add(-time.Minute), Trigger: history.TriggerConsole, User: "root", KilledBy: "guard"})
	seedRuns(t, f.db, runs).Close()
	for _, args := range [][]string{{"jobs", "runs", "--json"}, {"jobs", "runs"}, {"jobs", "runs", f.job, "--since", "3h", "--json"}} {
		lc, local := f.main(args...)
		rc, remote := f.main(append([]string{"--host", "db1"}, args...)...)
		if lc != 0 || rc != 0 || local != remote || !strings.Contains(local, "db1") && !strings.Contains(local, f.job) {
			t.Errorf("%v: local (%d):\n%s\nover ssh (%d):\n%s", args, lc, local, rc, remote)
		}
	}
}

// TestRunsJSONSameAsColumns: the listing read packed (one text per run)
// prints what the runs read column by column (Runs with their argv, the
// plain reader) print through the shared JSON encoder: every kind of
// value, NULLs, non-ASCII text and, read back column by column, a value
// holding the packing's separator.
func TestRunsJSONSameAsColumns(t *testing.T) {
	for _, odd := range []string{"root", "ro\x1fot", "a\x1f\x1f\x1fb"} {
		f := newFixture(t)
		ctx := context.Background()
		code := func(c int) *int { return &c }
		now := time.Now()
		var runs []history.Run
		for i := range 60 {
			st := now.Add(time.Duration(i-70) * time.Hour)
			r := history.Run{Job: []string{f.job, "取り下げ", "other"}[i%3], Host: []string{"local", "db1"}[i%2], Start: st, End: st.Add(time.Duration(600+i*7) * time.Second),
				Trigger: history.TriggerCron, User: "root", Counts: map[string]int{"errors": i % 4, "withdrawn": i * 3, "件数": i}, Overlap: i%11 == 0}
			switch i % 7 {
			case 1:
				r.ExitCode = code(i % 5)
			case 2:
				r.ExitCode = code(0)
				r.SudoUser = "hai"
			case 3:
				r.KilledBy = "richsops jobs.kill"
			case 4:
				r.End = time.Time{}
			case 5:
				r.User, r.Counts = odd, nil
			}
			runs = append(runs, r)
		}
		s := seedRuns(t, f.db, runs)
		cols, err := s.Runs(ctx, history.RunsQuery{Argv: true})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		judged := history.Judge(nil, cols, maxRuntime(config.Default()))
		want := make([]RunJSON, 0, len(judged))
		for _, j := range judged {
			want = append(want, j.JSON())
		}
		var wb bytes.Buffer
		env := cli.NewEnv(cli.Globals{JSON: true}, config.Default())
		env.Stdout = &wb
		if err := env.PrintJSON(want); err != nil {
			t.Fatal(err)
		}
		c, got := f.main("jobs", "runs", "--since", "3650d", "--json")
		if c != 0 || got != wb.String() {
			t.Errorf("user %q: packed listing (%d):\n%s\nwant:\n%s", odd, c, got, wb.String())
		}
	}
}

// seedRuns records runs in the history database at path and returns it
// open for writing.
func seedRuns(t *testing.T, path string, runs []history.Run) *history.Store {
	t.Helper()
	s, err := history.OpenWriter(context.Background(), path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRuns(context.Background(), runs); err != nil {
		t.Fatal(err)
	}
	return s
}
