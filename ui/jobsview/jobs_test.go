package jobsview

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/richs/richsops/ui/uitest"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/crontab"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
	"github.com/richs/richsops/ui/common"
)

// The tests run beside the demo's and other packages' real job processes
// (named check_item_mercari ...): unique job names keep them apart.
var suffix = "_t"
var mercariName = "check_item_mercari" + suffix

func deps(t *testing.T, readOnly bool) *common.Deps {
	cfg := config.Default()
	for i := range cfg.Jobs {
		cfg.Jobs[i].Name += suffix
	}
	cfg.Guard.Jobs = nil
	dir := t.TempDir()
	cfg.Crontab.Path = filepath.Join(dir, "crontab")
	cfg.Crontab.Reload = []string{"true"}
	cfg.App.Dir, cfg.App.LogDir = dir, dir
	cfg.History.Path = filepath.Join(dir, "history.db")
	os.WriteFile(cfg.Crontab.Path, []byte("0 3,15 * * * richs python manage.py "+mercariName+" 2 4\n"), 0o644)
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.Local)
	return &common.Deps{Cfg: cfg, Gate: gate.New(readOnly, ""), Hosts: host.NewRegistry(cfg), Lang: "en", ReadOnly: readOnly,
		Styles: common.DefaultStyles(), Now: func() time.Time { return now }}
}

func snapshot(d *common.Deps) snapshotMsg {
	now := d.Now()
	var st []jobs.Status
	for _, j := range d.Cfg.Jobs {
		st = append(st, jobs.Status{Name: j.Name, Log: d.Cfg.JobLogPath(j), Guard: j.Guard, State: crontab.StateAbsent})
	}
	st[1].State, st[1].Schedule, st[1].Next = crontab.StateActive, []string{"0 3,15 * * *"}, now.Add(11*time.Hour)
	st[1].Procs = []jobs.Proc{{Process: host.Process{PID: 4242, User: "richs", Start: now.Add(-time.Hour), Elapsed: time.Hour, CPU: 97.5, RSS: 200 << 20,
		Args: []string{"python", "manage.py", mercariName, "2", "4", "--max-workers", "14", "\x1b[31mred"}}, Job: mercariName}}
	st[0].Missed = &jobs.Missed{At: now.Add(-time.Hour), Reason: "the machine was down then"}
	return snapshotMsg{st: st}
}

func TestViewFits(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(80, 20)
	tab, _ = tab.Update(snapshot(d))
	for _, m := range []tea.Msg{nil, uitest.Key("j"), uitest.Key("enter")} {
		if m != nil {
			tab, _ = tab.Update(m)
		}
		v := tab.View()
		if strings.Contains(v, "\x1b[31mred") {
			t.Error("escape sequence from argv reached the screen")
		}
		lines := strings.Split(v, "\n")
		if len(lines) > 20 {
			t.Errorf("%d lines", len(lines))
		}
		for _, l := range lines {
			if w := lipgloss.Width(l); w > 80 {
				t.Errorf("line %d cells wide: %q", w, l)
			}
		}
	}
	tab, _ = tab.Update(uitest.Key("esc"))
	tab, _ = tab.Update(uitest.Key("k"))
	if v := tab.View(); !strings.Contains(v, "MISSED") || !strings.Contains(v, mercariName) {
		t.Errorf("view:\n%s", v)
	}
}

func run(t *testing.T, tab common.Tab, cmd tea.Cmd) (common.Tab, tea.Msg) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	msg := cmd()
	if c, ok := msg.(checkedMsg); ok { // a run-now request checked: opens the editor or refuses
		var next tea.Cmd
		tab, next = tab.Update(c)
		if next == nil {
			return tab, nil
		}
		return tab, next()
	}
	if b, ok := msg.(builtMsg); ok {
		var next tea.Cmd
		tab, next = tab.Update(b)
		return tab, next()
	}
	return tab, msg
}

// TestReadOnlyGoesToTheGate: in read-only mode the tab only greys its
// keys; the actions go to the gate, which refuses them and audits the
// refusal (the app hands a ConfirmMsg in read-only mode straight to it).
func TestReadOnlyGoesToTheGate(t *testing.T) {
	d := deps(t, true)
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	d.Gate = gate.New(true, audit)
	d.Cfg.App.User, d.Cfg.App.Python = "nobody", "/bin/sh"
	jobs.DefaultGuard = nil
	tab := New(d)
	tab, _ = tab.Update(snapshot(d))
	if !strings.Contains(tab.View(), "(read-only)") {
		t.Error("keys not marked read-only")
	}
	for _, tc := range []struct {
		keys   []string // the last one gives the command
		action string
	}{
		// Refused at once: no argument editor, no question first.
		{[]string{"R"}, "jobs.run"},               // check_item_yahoo
		{[]string{"j", "O"}, "jobs.run.override"}, // check_item_mercari, guard without a check
		{[]string{"p"}, "jobs.pause"},             // has a process: no question about it
	} {
		var cmd tea.Cmd
		for i, k := range tc.keys {
			tab, cmd = tab.Update(uitest.Key(k))
			if k == "R" || k == "O" && i < len(tc.keys)-1 { // the check before the editor
				tab, _ = run(t, tab, cmd)
			}
		}
		if tab.Capturing() {
			t.Fatalf("%v: asked for input before refusing", tc.keys)
		}
		var msg tea.Msg
		tab, msg = run(t, tab, cmd)
		cm, ok := msg.(common.ConfirmMsg)
		if !ok {
			t.Fatalf("%v: %#v, want the action for the gate", tc.keys, msg)
		}
		if r := d.Gate.Do(context.Background(), cm.Action); r.Err != gate.ErrReadOnly || r.Action != tc.action {
			t.Fatalf("%v: %+v", tc.keys, r)
		}
	}
	recs, err := gate.ReadAudit(audit)
	if err != nil || len(recs) != 3 {
		t.Fatalf("audit: %v %+v", err, recs)
	}
	for i, want := range []string{"jobs.run", "jobs.run.override", "jobs.pause"} {
		if recs[i].Action != want || recs[i].Phase != "refused" {
			t.Errorf("audit %d: %+v, want %s refused", i, recs[i], want)
		}
	}
}

func TestRunAndPauseFlow(t *testing.T) {
	d := deps(t, false)
	d.Cfg.App.User, d.Cfg.App.Python = "nobody", "/bin/sh"
	jobs.DefaultGuard = nil
	tab := New(d)
	tab, _ = tab.Update(snapshot(d))
	tab, _ = tab.Update(uitest.Key("j")) // check_item_mercari
	// The guard (no check: fail closed) refuses before any argument is
	// asked for (issue 17, item 10).
	tab, cmd := tab.Update(uitest.Key("R"))
	if tab.Capturing() {
		t.Fatalf("the arguments asked for before the check:\n%s", tab.View())
	}
	tab, msg := run(t, tab, cmd)
	if _, ok := msg.(common.ToastMsg); !ok || tab.Capturing() || !strings.Contains(tab.View(), "press O") {
		t.Fatalf("guard refusal not offered for override: %#v\n%s", msg, tab.View())
	}
	// The override asks for the arguments, then builds the action.
	tab, cmd = tab.Update(uitest.Key("O"))
	tab, _ = run(t, tab, cmd)
	if !tab.Capturing() || !strings.Contains(tab.View(), "2 4 --max-workers 14") || !strings.Contains(tab.View(), "GUARD OVERRIDE") {
		t.Fatalf("arg editor:\n%s", tab.View())
	}
	tab, cmd = tab.Update(uitest.Key("enter"))
	tab, msg = run(t, tab, cmd)
	if cm, ok := msg.(common.ConfirmMsg); !ok || cm.Action.Name != "jobs.run.override" {
		t.Fatalf("override: %#v", msg)
	}
	// Pause with a running process asks whether to stop it too.
	tab, cmd = tab.Update(uitest.Key("p"))
	if cmd != nil || !strings.Contains(tab.View(), "Also stop") {
		t.Fatalf("no question:\n%s", tab.View())
	}
	tab, cmd = tab.Update(uitest.Key("n"))
	tab, msg = run(t, tab, cmd)
	cm, ok := msg.(common.ConfirmMsg)
	if !ok || cm.Action.Name != "jobs.pause" || !strings.Contains(strings.Join(cm.Action.Preview, "\n"), crontab.PausedPrefix) {
		t.Fatalf("%#v", msg)
	}
	// After a resume, it offers run-now.
	tab, _ = tab.Update(common.ActiveMsg{Active: true})
	tab, _ = tab.Update(common.ActionDoneMsg{Result: gate.Result{Action: "jobs.resume", Target: mercariName}})
	if !strings.Contains(tab.View(), "Run it now") {
		t.Fatalf("no run-now offer:\n%s", tab.View())
	}
	// Yes checks first too: the guard still refuses.
	tab, cmd = tab.Update(uitest.Key("y"))
	tab, _ = run(t, tab, cmd)
	if tab.Capturing() || !strings.Contains(tab.View(), "press O") {
		t.Fatalf("yes did not check before the arg editor:\n%s", tab.View())
	}
}

// countingHost is this machine under another name, counting file reads so
// a test sees which host a refresh went to.
type countingHost struct {
	host.Host
	reads atomic.Int32
}

func (c *countingHost) ReadFile(ctx context.Context, path string) ([]byte, error) {
	c.reads.Add(1)
	return c.Host.ReadFile(ctx, path)
}

func TestFollowsTheCurrentHost(t *testing.T) {
	d := deps(t, false)
	other := &countingHost{Host: host.NewLocal()}
	d.Hosts.Set("other", other)
	tab := New(d)
	tab.SetSize(80, 20)
	tab, _ = tab.Update(snapshot(d))
	if v := tab.View(); strings.Contains(v, "@ ") {
		t.Errorf("local host shows a badge:\n%s", v)
	}

	tab, cmd := tab.Update(common.HostChangedMsg{Name: "other"})
	if cmd == nil {
		t.Fatal("no refresh on HostChangedMsg")
	}
	if v := tab.View(); strings.Contains(v, mercariName) {
		t.Errorf("the previous host's jobs still shown:\n%s", v)
	}
	// A late snapshot of the previous host is dropped.
	stale := snapshot(d)
	stale.host = "local"
	tab, _ = tab.Update(stale)
	if v := tab.View(); strings.Contains(v, mercariName) {
		t.Errorf("a late snapshot of the previous host was shown:\n%s", v)
	}

	msg, ok := cmd().(snapshotMsg)
	if !ok || msg.host != "other" || msg.err != nil {
		t.Fatalf("refresh gave %#v", msg)
	}
	if other.reads.Load() == 0 {
		t.Error("the refresh did not go to the current host")
	}
	tab, _ = tab.Update(msg)
	v := tab.View()
	if first := strings.Split(v, "\n")[0]; !strings.Contains(first, "@ other") {
		t.Errorf("header does not show the host: %q", first)
	}
	if !strings.Contains(v, mercariName) {
		t.Errorf("the current host's jobs not shown:\n%s", v)
	}
}

// In Japanese no English word is left in the table, the details or the
// help (job names, cron and paths aside).
func TestJapaneseLabels(t *testing.T) {
	d := deps(t, false)
	d.Lang = "ja"
	tab := New(d)
	tab.SetSize(120, 30)
	snap := snapshot(d)
	snap.st[2].LastRun, snap.st[2].LastFrom = d.Now().Add(-250*time.Second), "log"
	tab, _ = tab.Update(snap)
	tab, _ = tab.Update(uitest.Key("j"))
	tab, _ = tab.Update(uitest.Key("j"))
	var help []string
	for _, col := range tab.FullHelp() {
		for _, b := range col {
			help = append(help, b.Help().Desc)
		}
	}
	v := tab.View() + "\n" + strings.Join(help, "\n")
	for _, want := range []string{"実行漏れ", "4分前（ログ）", "詳細", "戻る", "上", "下"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, v)
		}
	}
	for _, en := range []string{"MISSED", "ago", "details", "back", "never", "(log)"} {
		if strings.Contains(v, en) {
			t.Errorf("English %q in:\n%s", en, v)
		}
	}
}

// A job whose crontab and processes could not be read shows unknown and
// "?", never "no cron" and 0.
func TestUnknownIsNotNone(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(100, 20)
	msg := snapshot(d)
	for i := range msg.st {
		msg.st[i].State, msg.st[i].Procs, msg.st[i].Missed, msg.st[i].Schedule, msg.st[i].Next = crontab.StateUnknown, nil, nil, nil, time.Time{}
		msg.st[i].Unknown = []string{jobs.PartProcesses, jobs.PartCrontab}
	}
	tab, _ = tab.Update(msg)
	v := tab.View()
	row := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, mercariName) {
			row = l
			break
		}
	}
	if !strings.Contains(row, "unknown") || strings.Contains(row, "no cron") || !strings.Contains(row, "?") || strings.Contains(row, " 0 ") {
		t.Errorf("row = %q", row)
	}
}

// TestPausedSaysWhoWhenAndTheGuard: the selected paused job says who
// paused it and when, what cron skipped, and whether index-linux is
// healthy now.
func TestPausedSaysWhoWhenAndTheGuard(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(100, 30)
	snap := snapshot(d)
	healthy := true
	at := time.Date(2026, 11, 27, 2, 30, 0, 0, time.Local)
	snap.st[1].State = crontab.StatePaused
	snap.st[1].Paused = &jobs.Pause{By: jobs.ByGuard, User: "root", At: at, Skipped: 1, FirstSkip: at.Add(30 * time.Minute), GuardOK: &healthy}
	tab, _ = tab.Update(snap)
	tab, _ = tab.Update(uitest.Key("j"))
	v := strings.Join(strings.Fields(uitest.Plain(tab.View())), " ")
	for _, want := range []string{"paused by guard at 11-27 02:30", "1 scheduled run(s) skipped since 11-27 03:00", "index-linux is healthy now", "press p to resume"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, tab.View())
		}
	}
}

// Looking up a host may create the ssh control folder: the tab does it in
// its tea.Cmds, never in Update (the UI goroutine).
func TestHostLookupOffTheUIGoroutine(t *testing.T) {
	d := deps(t, false)
	d.Cfg.Hosts = append(d.Cfg.Hosts, config.HostEntry{Name: "db1", SSH: "root@db1.example"})
	var lookups atomic.Int32
	d.Hosts.NewRemote = func(config.HostEntry) (host.Host, error) {
		lookups.Add(1)
		return nil, os.ErrDeadlineExceeded
	}
	tab := New(d)
	tab, _ = tab.Update(snapshot(d))
	steps := []struct {
		name string
		msg  tea.Msg
	}{
		{"host change (refresh)", common.HostChangedMsg{Name: "db1"}},
		{"refresh key", uitest.Key("ctrl+r")},
		{"enter (log tail)", uitest.Key("enter")},
		{"pause", uitest.Key("p")},
	}
	for i, s := range steps {
		if i > 0 { // the list of the new host, read
			m := snapshot(d)
			m.host = "db1"
			tab, _ = tab.Update(m)
		}
		before := lookups.Load()
		var cmd tea.Cmd
		tab, cmd = tab.Update(s.msg)
		if n := lookups.Load(); n != before {
			t.Errorf("%s: %d host lookups in Update", s.name, n-before)
		}
		if cmd == nil {
			t.Errorf("%s: no command", s.name)
			continue
		}
		uitest.Messages(cmd)
		if lookups.Load() == before {
			t.Errorf("%s: the command did not look the host up", s.name)
		}
	}
}

// startJob runs a real process of job the way cron does (sh manage.py JOB
// 2 4 in the app folder, as root): the tab's checks list it.
func startJob(t *testing.T, d *common.Deps, job string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a job process counts only as app.user or root")
	}
	script := filepath.Join(d.Cfg.App.Dir, "manage.py")
	if err := os.WriteFile(script, []byte("sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// sh reads the script itself: argv stays "sh …/manage.py JOB 2 4".
	c := exec.Command("sh", script, job, "2", "4")
	c.Dir = d.Cfg.App.Dir
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	// Until sh's child has exec'd sleep it has sh's argv too, and the tab
	// would count two processes of the job.
	children := fmt.Sprintf("/proc/%d/task/%d/children", c.Process.Pid, c.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		kids, _ := os.ReadFile(children)
		if f := strings.Fields(string(kids)); len(f) > 0 {
			if argv, _ := os.ReadFile("/proc/" + f[0] + "/cmdline"); strings.HasPrefix(string(argv), "sleep\x00") {
				break
			}
		}
	}
	return c
}

// TestRunRefusesBeforeTheArguments: R on a job that already runs says so
// (and which key starts another) before it asks for arguments; A then
// asks for them (issue 17, item 10).
func TestRunRefusesBeforeTheArguments(t *testing.T) {
	d := deps(t, false)
	jobs.DefaultGuard = nil
	startJob(t, d, d.Cfg.Jobs[0].Name) // check_item_yahoo, not guarded
	tab := New(d)
	tab.SetSize(80, 24)
	tab, _ = tab.Update(snapshot(d))
	tab, cmd := tab.Update(uitest.Key("R"))
	if tab.Capturing() {
		t.Fatalf("the arguments asked for first:\n%s", tab.View())
	}
	tab, msg := run(t, tab, cmd)
	v := strings.Join(strings.Fields(uitest.Plain(tab.View())), " ")
	if _, ok := msg.(common.ToastMsg); !ok || tab.Capturing() || !strings.Contains(v, "press A to start another instance") || !strings.Contains(v, "already running") {
		t.Fatalf("no refusal first: %#v\n%s", msg, tab.View())
	}
	tab, cmd = tab.Update(uitest.Key("A"))
	tab, _ = run(t, tab, cmd)
	if !tab.Capturing() || !strings.Contains(tab.View(), "another instance") {
		t.Fatalf("A did not open the arguments:\n%s", tab.View())
	}
}

// TestKillSaysPerPid: the kill's result under the table says what
// happened to each pid, as the CLI does (issue 17, item 11).
func TestKillSaysPerPid(t *testing.T) {
	d := deps(t, false)
	c := startJob(t, d, d.Cfg.Jobs[0].Name)
	tab := New(d)
	tab.SetSize(100, 24)
	msg := tab.Init()()
	tab, _ = tab.Update(msg)
	tab, cmd := tab.Update(uitest.Key("x"))
	tab, msg = run(t, tab, cmd)
	cm, ok := msg.(common.ConfirmMsg)
	if !ok {
		t.Fatalf("%#v\n%s", msg, tab.View())
	}
	r := d.Gate.Do(context.Background(), cm.Action)
	tab, _ = tab.Update(common.ActionDoneMsg{Result: r})
	v := strings.Join(strings.Fields(uitest.Plain(tab.View())), " ")
	if want := fmt.Sprintf("pid %d: SIGTERM, exited after", c.Process.Pid); !strings.Contains(v, want) {
		t.Errorf("no %q in:\n%s", want, tab.View())
	}
}

// TestProcessRows: the processes of the selected job have a header and
// show the command from manage.py on, not the interpreter's path; the
// SCHEDULE column is as wide as the schedules, not the free room (issue
// 17, item 11).
func TestProcessRows(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(120, 40)
	snap := snapshot(d)
	snap.st[1].Procs[0].Args = []string{"/usr/bin/python3", "/home/richs/app/manage.py", mercariName, "2", "4"}
	tab, _ = tab.Update(snap)
	tab, _ = tab.Update(uitest.Key("j"))
	lines := strings.Split(uitest.Plain(tab.View()), "\n")
	var header, row, jobsHeader string
	for i, l := range lines {
		if strings.Contains(l, "PID") && i+1 < len(lines) {
			header, row = l, lines[i+1]
		}
		if strings.Contains(l, "SCHEDULE") {
			jobsHeader = l
		}
	}
	if !strings.Contains(header, "COMMAND") || !strings.Contains(row, "4242") {
		t.Fatalf("no process header:\n%s", tab.View())
	}
	if !strings.Contains(row, "manage.py "+mercariName+" 2 4") || strings.Contains(row, "python3") {
		t.Errorf("process row %q", row)
	}
	if gap := strings.Index(jobsHeader, "NEXT") - strings.Index(jobsHeader, "SCHEDULE"); gap > 31 {
		t.Errorf("SCHEDULE is %d wide: %q", gap-1, jobsHeader)
	}
}

// TestGuardSaysHealthNow: the guard line says whether index-linux is
// healthy now, and a refusal is shown whole at 80 columns (issue 17, item
// 12).
func TestGuardSaysHealthNow(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab.SetSize(80, 24)
	yes, no := true, false
	for _, c := range []struct {
		ok   *bool
		want string
	}{
		{&yes, "guarded by index-linux: healthy now"},
		{&no, "guarded by index-linux: UNHEALTHY now (pm2 index-linux: stopped)"},
		{nil, "guarded by index-linux: its health is unknown"},
	} {
		snap := snapshot(d)
		snap.st[1].Guard, snap.st[1].GuardOK, snap.st[1].GuardReason = "index-linux", c.ok, "pm2 index-linux: stopped"
		tab, _ = tab.Update(snap)
		tab.(*Tab).cur = 1
		if v := strings.Join(strings.Fields(uitest.Plain(tab.View())), " "); !strings.Contains(v, c.want) {
			t.Errorf("no %q in:\n%s", c.want, tab.View())
		}
	}
	refusal := &jobs.GuardError{Job: mercariName, Guard: "index-linux", Reason: "pm2 index-linux: stopped; management server: connection refused"}
	spec := jobs.RunSpec{Job: mercariName}
	tab, _ = tab.Update(checkedMsg{spec: spec, err: refusal})
	// Compared without blanks: the wrap may break at a hyphen.
	v := strings.Join(strings.Fields(uitest.Plain(tab.View())), "")
	if want := strings.Join(strings.Fields(refusal.Error()), ""); !strings.Contains(v, want) {
		t.Errorf("refusal cut; want %q in:\n%s", want, tab.View())
	}
}

// TestEscAtAQuestionCancelsTheAction: esc at the y/n inside pause aborts
// the pause; it is not the "n" that pauses without stopping.
func TestEscAtAQuestionCancelsTheAction(t *testing.T) {
	d := deps(t, false)
	tab := New(d)
	tab, _ = tab.Update(snapshot(d))
	tab, _ = tab.Update(uitest.Key("j")) // check_item_mercari, running
	tab, _ = tab.Update(uitest.Key("p"))
	if !strings.Contains(tab.View(), "esc cancels") {
		t.Fatalf("the question does not say esc cancels:\n%s", tab.View())
	}
	tab, cmd := tab.Update(uitest.Key("esc"))
	if cmd == nil {
		t.Fatal("esc: no toast")
	}
	msg := cmd()
	toast, ok := msg.(common.ToastMsg)
	if !ok || !strings.Contains(toast.Text, "cancelled: pause "+mercariName) {
		t.Fatalf("esc went on with the action: %#v", msg)
	}
	if tab.Capturing() || strings.Contains(tab.View(), "Also stop") {
		t.Fatalf("the question stayed:\n%s", tab.View())
	}
}

// TestResumeSaysWhyBraked: p on a job the brake paused asks with why it
// was braked first, above the crontab edit.
func TestResumeSaysWhyBraked(t *testing.T) {
	d := deps(t, false)
	os.WriteFile(d.Cfg.Crontab.Path, []byte(crontab.PausedPrefix+"0 3,15 * * * richs python manage.py "+mercariName+" 2 4\n"), 0o644)
	tab := New(d)
	tab.SetSize(100, 30)
	snap := snapshot(d)
	snap.st[1].State, snap.st[1].Procs = crontab.StatePaused, nil
	snap.st[1].Paused = &jobs.Pause{By: gate.ActorBrake, Why: "braked: 412 withdrawn in the last minute, 14x the usual 29/min\x1b[2J",
		At: time.Date(2026, 11, 27, 14, 2, 0, 0, time.Local)}
	tab, _ = tab.Update(snap)
	tab, _ = tab.Update(uitest.Key("j"))
	tab, cmd := tab.Update(uitest.Key("p"))
	_, msg := run(t, tab, cmd)
	c, ok := msg.(common.ConfirmMsg)
	if !ok {
		t.Fatalf("got %T %+v", msg, msg)
	}
	want := "braked by richsops watch at 11-27 14:02: braked: 412 withdrawn in the last minute, 14x the usual 29/min"
	if len(c.Action.Preview) < 2 || !strings.HasPrefix(c.Action.Preview[0], want) || strings.Contains(c.Action.Preview[0], "\x1b") || c.Action.Name != "jobs.resume" {
		t.Fatalf("preview %q", c.Action.Preview)
	}
}
