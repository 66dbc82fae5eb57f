package dbview

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/ui/uitest"

	tea "charm.land/bubbletea/v2"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/backup"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/mysql"
	"github.com/richs/richsops/ui/common"
)

var (
	srv     *mysqltest.Server
	srvSkip string
)

func TestMain(m *testing.M) {
	mysqltest.Main(m, "rsui", mysqltest.Options{}, "CREATE DATABASE u; CREATE TABLE u.t (i INT); INSERT INTO u.t VALUES (1); FLUSH BINARY LOGS; FLUSH BINARY LOGS; FLUSH BINARY LOGS;", &srv, &srvSkip)
}

func newTab(t *testing.T) *Tab {
	t.Helper()
	if srv == nil {
		mysqltest.SkipOrFail(t, srvSkip)
	}
	cfg := config.Default()
	dir := t.TempDir()
	cfg.Database.DSN = "root@unix(" + srv.Socket + ")/"
	cfg.Database.Datadir = srv.Datadir
	cfg.Database.MyCnf = filepath.Join(dir, "my.cnf")
	cfg.Database.Timeout = config.Duration{Duration: time.Second}
	os.WriteFile(cfg.Database.MyCnf, []byte("[mysqld]\nexpire_logs_days = 10\n"), 0o644)
	cfg.Backup.Dir = filepath.Join(dir, "backups")
	cfg.History.Path = filepath.Join(dir, "history.db")
	cfg.Backup.MinFree = "1KiB"
	cfg.Backup.Dump = append(append([]string{"mariadb-dump"}, srv.ClientArgs()...), "--single-transaction", "u")
	d := &common.Deps{Cfg: cfg, Gate: gate.New(false, ""), Hosts: host.NewRegistry(cfg), Lang: "en",
		Styles: common.DefaultStyles(), Now: time.Now}
	tab := New(d).(*Tab)
	tab.SetSize(80, 20)
	return tab
}

// call runs a Cmd (not a tick) and returns its message, failing after a
// generous minute: a Cmd that never returns is the bug.
func call(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case m := <-ch:
		return m
	case <-time.After(time.Minute):
		t.Fatal("the Cmd did not return")
	}
	return nil
}

func update(t *testing.T, tab *Tab, msg tea.Msg) tea.Cmd {
	t.Helper()
	_, cmd := tab.Update(msg)
	return cmd
}

func TestTabStatusAndActions(t *testing.T) {
	tab := newTab(t)
	if c := update(t, tab, common.ActiveMsg{Active: true}); c != nil {
		update(t, tab, call(t, c))
	}
	v := tab.View()
	for _, want := range []string{"MariaDB", "mysql-bin.000004", "active", "expire_logs_days = 10", "disk"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	uitest.Fits(t, v, 80, 20)
	if os.Getenv("SHOW_VIEW") != "" {
		fmt.Println(v)
	}
	// The cursor starts on the default purge target (keeps active + one).
	if got := tab.status.Binlogs[tab.cursor].Name; got != "mysql-bin.000003" {
		t.Errorf("cursor on %s", got)
	}
	// The action is built off the UI goroutine, straight into the confirm.
	cm, ok := call(t, update(t, tab, uitest.Key("P"))).(common.ConfirmMsg)
	if !ok || cm.Action.Name != "db.purge" || !strings.Contains(strings.Join(cm.Action.Preview, "\n"), "mysql-bin.000001") {
		t.Fatalf("purge confirm: %+v", cm)
	}
	// D opens the days prompt (capturing keys), enter plans the change.
	update(t, tab, uitest.Key("D"))
	if !tab.Capturing() {
		t.Fatal("days prompt not capturing")
	}
	cm, ok = call(t, update(t, tab, uitest.Key("enter"))).(common.ConfirmMsg)
	if !ok || cm.Action.Name != "db.expire" || !strings.Contains(strings.Join(cm.Action.Preview, "\n"), "expire_logs_days = 1") {
		t.Fatalf("expire confirm: %+v", cm)
	}
	// ! is refused while the server answers.
	if tm, ok := call(t, update(t, tab, uitest.Key("!"))).(common.ToastMsg); !ok || !tm.Error {
		t.Errorf("emergency offered: %+v", tm)
	}
	// A result of a db action is shown with its details.
	update(t, tab, common.ActionDoneMsg{Result: gate.Result{Action: "db.flush", Target: "binary logs",
		Outcome: gate.Outcome{Details: []string{"FLUSH BINARY LOGS: ok", "no binary log removed"}}}})
	if v := tab.View(); !strings.Contains(v, "no binary log removed") {
		t.Errorf("details not shown:\n%s", v)
	}
	// After the expiry is set, FLUSH BINARY LOGS is offered.
	update(t, tab, common.ActiveMsg{Active: false})
	c := update(t, tab, common.ActionDoneMsg{Result: gate.Result{Action: "db.expire", Target: "1 days"}})
	if cm, ok := call(t, c).(common.ConfirmMsg); !ok || cm.Action.Name != "db.flush" {
		t.Errorf("flush not offered after expire: %+v", cm)
	}
	// Hidden: ticks are dropped.
	update(t, tab, common.ActiveMsg{Active: false})
	if c := update(t, tab, tickMsg{gen: tab.timer.Gen()}); c != nil {
		t.Error("refresh while hidden")
	}
}

func TestBackupProgress(t *testing.T) {
	tab := newTab(t)
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	msg := call(t, update(t, tab, uitest.Key("b")))
	cm, ok := msg.(common.ConfirmMsg)
	if !ok || cm.Action.Name != "db.backup" {
		t.Fatalf("backup confirm: %+v", msg)
	}
	wait := update(t, tab, common.ActionStartedMsg{Action: cm.Action})
	done := make(chan gate.Result, 1)
	go func() { done <- tab.d.Gate.Do(t.Context(), cm.Action) }()
	res := <-done
	if !res.OK() {
		t.Fatal(res.Err)
	}
	// The final progress report is waiting in the channel.
	pm := call(t, wait).(progressMsg)
	update(t, tab, pm)
	if v := uitest.Plain(tab.View()); !strings.Contains(v, "gz, ") {
		t.Errorf("no backup bar while it runs:\n%s", v)
	}
	update(t, tab, common.ActionDoneMsg{Result: res})
	// Finished: the bar leaves the screen, the result's lines stay; a
	// report arriving late does not bring it back (issue 17, item 23).
	update(t, tab, pm)
	v := uitest.Plain(tab.View())
	if !strings.Contains(v, "verified") || tab.backingUp || strings.Contains(v, "gz, ") {
		t.Errorf("after backup (%+v):\n%s", tab.prog, v)
	}
	uitest.Fits(t, v, 80, 20)
}

// A server that hangs (SIGSTOP) accepts the connection and never answers:
// the tab's status Cmd must still return, with the error shown.
func TestHungServerCmdReturns(t *testing.T) {
	tab := newTab(t)
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	if err := srv.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer srv.Signal(syscall.SIGCONT)
	c := update(t, tab, uitest.Key("ctrl+r"))
	// The UI goes on while the read runs: keys are handled at once.
	update(t, tab, uitest.Key("j"))
	if again := update(t, tab, uitest.Key("ctrl+r")); again != nil {
		t.Error("a second reader started while one is stuck")
	}
	update(t, tab, call(t, c))
	v := tab.View()
	if !strings.Contains(v, "NOT ANSWERING") {
		t.Errorf("view:\n%s", v)
	}
	uitest.Fits(t, v, 80, 20)
	srv.Signal(syscall.SIGCONT)
	if err := srv.WaitUp(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// The tab says which server a backup dumps, from the DSN (its text
// sanitized) or from the dump command's own options.
func TestTabSaysWhichServerIsDumped(t *testing.T) {
	tab := newTab(t)
	tab.SetSize(200, 30)
	tab.status = &mysql.Status{At: time.Now(), ServerErr: "not read in this test"}
	if !strings.Contains(tab.View(), "backup dumps the server of the dump command's --socket="+srv.Socket+" ([backup] dump)") {
		t.Errorf("dump's own socket not named:\n%s", tab.View())
	}
	for dsn, want := range map[string]string{
		"root@unix(" + srv.Socket + ")/":          "backup dumps socket " + srv.Socket + " ([database] dsn) as root",
		"bk:pw@tcp(db1.example\x1b[2J:3307)/":     "backup dumps [db1.example\\x1b[2J:3307]:3306 over TCP ([database] dsn) as bk",
		"bk:pw@tcp(db1.example:3307)/?timeout=1s": "backup dumps db1.example:3307 over TCP ([database] dsn) as bk (password",
	} {
		tab.d.Cfg.Database.DSN = dsn
		tab.d.Cfg.Backup.Dump = []string{"mariadb-dump", "--single-transaction", "u"}
		tab := New(tab.d).(*Tab)
		tab.SetSize(200, 30)
		tab.status = &mysql.Status{At: time.Now(), ServerErr: "not read in this test"}
		v := tab.View()
		if !strings.Contains(v, want) || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "pw") {
			t.Errorf("%q: view lacks %q (or shows the raw text or the password):\n%s", dsn, want, v)
		}
	}
}

// statusOf is a status listing the named binary logs, the last active.
func statusOf(names ...string) statusMsg {
	st := &mysql.Status{At: time.Now()}
	for i, n := range names {
		st.Binlogs = append(st.Binlogs, mysql.Binlog{Name: n, Size: 1, Active: i == len(names)-1})
	}
	return statusMsg{st: st}
}

// TestCursorStaysOnTheLog: after a purge the cursor stays on the log it
// was on (or the next one still listed), not on its old row number; on the
// default purge target it follows a rotation (issue 17, item 20).
func TestCursorStaysOnTheLog(t *testing.T) {
	d := &common.Deps{Cfg: config.Default(), Gate: gate.New(false, ""), Lang: "en", Styles: common.DefaultStyles(), Now: time.Now}
	d.Hosts = host.NewRegistry(d.Cfg)
	var logs []string
	for i := range 8 {
		logs = append(logs, fmt.Sprintf("mysql-bin.%06d", 999995+i)) // across 999999 → 1000000
	}
	at := func(tab *Tab) string { return tab.status.Binlogs[tab.cursor].Name }
	for _, c := range []struct {
		name  string
		up    int      // keys k from the default target
		after []string // the list after the action
		want  string
	}{
		{"purge before the selected one", 3, logs[3:], logs[3]},
		{"the selected one went too", 3, logs[5:], logs[5]},
		{"default target, purge", 0, logs[6:], logs[6]},
		{"default target, rotation", 0, append(append([]string{}, logs...), "mysql-bin.1000003"), logs[7]},
		{"rotation, another log selected", 2, append(append([]string{}, logs...), "mysql-bin.1000003"), logs[4]},
	} {
		tab := New(d).(*Tab)
		update(t, tab, statusOf(logs...))
		if at(tab) != logs[6] {
			t.Fatalf("first status: cursor on %s", at(tab))
		}
		for range c.up {
			update(t, tab, uitest.Key("k"))
		}
		update(t, tab, statusOf(c.after...))
		if got := at(tab); got != c.want {
			t.Errorf("%s: cursor on %s, want %s", c.name, got, c.want)
		}
	}
}

// TestServerDownSaysWhy: while the server does not answer the purge hint
// and the keys that need it are not offered, the expiry's "?" and a key
// pressed anyway say why; the emergency threshold is the configured
// figure, as the Overview's limit (issue 17, item 21).
func TestServerDownSaysWhy(t *testing.T) {
	d, msgs := GoldenData("en", true)
	st := msgs[0].(statusMsg).st
	st.Threshold = 13.54
	tab := New(d).(*Tab)
	tab.SetSize(100, 30)
	update(t, tab, msgs[0])
	v := uitest.Plain(tab.View())
	for _, want := range []string{"expiry: ? (no working connection to the server: D + P T need one)", "disk ≥ 13.54%"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, v)
		}
	}
	if strings.Contains(v, "P: purge") {
		t.Errorf("purge offered while the server is down:\n%s", v)
	}
	for _, b := range tab.ShortHelp() {
		if b.Help().Key == "P" {
			t.Error("P in the bottom bar")
		}
	}
	if tm, ok := call(t, update(t, tab, uitest.Key("P"))).(common.ToastMsg); !ok || !strings.Contains(tm.Text, "no working connection") {
		t.Errorf("P: %#v", tm)
	}
}

// TestBeforeExampleIsARealTime: T's example is three days ago, not Go's
// reference date (issue 17, item 24).
func TestBeforeExampleIsARealTime(t *testing.T) {
	d, msgs := GoldenData("en", false)
	tab := New(d).(*Tab)
	tab.SetSize(120, 30)
	update(t, tab, msgs[0])
	update(t, tab, uitest.Key("T"))
	v := uitest.Plain(tab.View())
	want := "(" + d.Now().AddDate(0, 0, -3).Format("2006-01-02 15:04") + " or 3d)"
	if !strings.Contains(v, want) || strings.Contains(v, "2006-01-02") {
		t.Errorf("no %q in:\n%s", want, v)
	}
}

// TestBackupsListed: the tab lists the backups of [backup] dir newest
// first with size, age and whether verified, read with the status (issue
// 17, item 22).
func TestBackupsListed(t *testing.T) {
	tab := newTab(t)
	tab.SetSize(100, 30)
	dir := tab.d.Cfg.Backup.Dir
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	if v := uitest.Plain(tab.View()); !strings.Contains(v, "(none yet in "+dir+")") {
		t.Errorf("no backups: not said:\n%s", v)
	}
	os.MkdirAll(dir, 0o755)
	now := time.Now()
	for i, name := range []string{"db-%s.sql.gz", "db-%s.sql.gz", "db-%s.sql.gz.partial"} {
		at := now.Add(time.Duration(-72+i*24) * time.Hour)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf(name, at.Format("20060102-150405"))), make([]byte, (i+1)<<20), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	update(t, tab, call(t, update(t, tab, uitest.Key("ctrl+r"))))
	var rows []string
	for _, l := range strings.Split(uitest.Plain(tab.View()), "\n") {
		if strings.Contains(l, "db-") || strings.Contains(l, "BACKUP ") {
			rows = append(rows, strings.Join(strings.Fields(l), " "))
		}
	}
	want := []string{"BACKUP SIZE AGE VERIFIED BINLOG POSITION", ".sql.gz.partial 3.0 MiB 1d ago no partial: running or crashed", "2.0 MiB 2d ago yes", "1.0 MiB 3d ago yes"}
	if len(rows) != len(want) {
		t.Fatalf("backup rows %q in:\n%s", rows, tab.View())
	}
	for i, w := range want {
		if !strings.Contains(rows[i], w) {
			t.Errorf("row %d %q, want %q", i, rows[i], w)
		}
	}
}

// TestPurgeKnowsTheBackup: P's preview is checked against the newest
// verified backup in [backup] dir: none asks for PURGE, a backup whose
// position the purge reaches names the log and asks for PURGE, one it does
// not reach is a plain confirmation.
func TestPurgeKnowsTheBackup(t *testing.T) {
	tab := newTab(t)
	if err := srv.Exec("INSERT INTO u.t VALUES (2); FLUSH BINARY LOGS; FLUSH BINARY LOGS;"); err != nil {
		t.Fatal(err)
	}
	update(t, tab, call(t, update(t, tab, common.ActiveMsg{Active: true})))
	logs := tab.status.Binlogs
	n := len(logs)
	if n < 3 || tab.cursor != n-2 {
		t.Fatalf("logs %v, cursor %d", logs, tab.cursor)
	}
	dir := tab.d.Cfg.Backup.Dir
	os.MkdirAll(dir, 0o755)
	name := backup.FileName(time.Now().Add(-time.Hour))
	os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
	for _, c := range []struct {
		at     string // the backup's binary log; "" = no metadata
		danger string
		says   string
	}{
		{"", mysql.PurgeWord, "NO VERIFIED BACKUP RECORDS A BINARY-LOG POSITION"},
		{logs[n-3].Name, mysql.PurgeWord, logs[n-3].Name + " is newer than the last verified backup ("},
		{logs[n-2].Name, "", "all older than the last verified backup ("},
	} {
		if c.at != "" {
			data, _ := json.Marshal(backup.Meta{Backup: name, At: time.Now(), Verified: true, Binlog: &backup.Position{File: c.at, Pos: 4}})
			os.WriteFile(filepath.Join(dir, name+backup.MetaSuffix), data, 0o600)
		}
		cm, ok := call(t, update(t, tab, uitest.Key("P"))).(common.ConfirmMsg)
		if !ok || cm.Action.Danger != c.danger || !strings.Contains(strings.Join(cm.Action.Preview, "\n"), c.says) {
			t.Errorf("backup at %q: %+v", c.at, cm)
		}
	}
}
