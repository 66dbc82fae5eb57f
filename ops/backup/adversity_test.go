package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/pgzip"

	"github.com/richs/richsops/internal/testenv/gatetest"
	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/gate"
)

// dumped is the uncompressed text of a backup file.
func dumped(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := pgzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, zr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// backupOnce plans and runs one backup (without the gate).
func backupOnce(t *testing.T, b *Backup) Result {
	t.Helper()
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Run(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// otherServer is a second mariadbd, made the machine's default for every
// client this test starts: root's ~/.my.cnf (HOME of the test) names its
// socket, as a box's own /root/.my.cnf would.
func otherServer(t *testing.T) *mysqltest.Server {
	t.Helper()
	o := mysqltest.StartT(t, "rsbk2")
	if err := o.Exec("CREATE DATABASE mk; CREATE TABLE mk.which (s VARCHAR(40)); INSERT INTO mk.which VALUES ('machine-default-server');"); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".my.cnf"), []byte("[client]\nsocket="+o.Socket+"\nuser=root\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	return o
}

// dumpProcs lists the argv of the mariadb-dump processes this test runs
// (NUL-separated /proc/PID/cmdline, exactly what any user on the box can
// read).
func dumpProcs() []string {
	var out []string
	ppid := fmt.Sprintf("\nPPid:\t%d\n", os.Getpid())
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		status, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "status"))
		if err == nil && bytes.HasPrefix(data, []byte("mariadb-dump\x00")) && bytes.Contains(status, []byte(ppid)) {
			out = append(out, string(data))
		}
	}
	return out
}

// The dump connects to the server [database] dsn names, over a socket and
// over TCP with a password, not to the machine's default server; the
// password is never in the dump's argv nor left in a file.
func TestDumpsTheDSNServer(t *testing.T) {
	s := needServer(t)
	otherServer(t)
	const pw = `p"w d\x'y` // quoting and escapes of the option file
	if err := s.Exec("CREATE DATABASE IF NOT EXISTS mk; CREATE TABLE IF NOT EXISTS mk.which (s VARCHAR(40)); DELETE FROM mk.which;" +
		"INSERT INTO mk.which VALUES ('dsn-server'), ('dsn-server'), ('dsn-server');" +
		"CREATE USER IF NOT EXISTS 'bk'@'127.0.0.1' IDENTIFIED BY 'p\"w d\\\\x''y'; GRANT ALL ON *.* TO 'bk'@'127.0.0.1';"); err != nil {
		t.Fatal(err)
	}
	slow := []string{"mariadb-dump", "--single-transaction", "--where=SLEEP(0.3) = 0", "mk"}
	for _, tc := range []struct {
		name, dsn, server string
		argv              []string
	}{
		{"socket", "root@unix(" + s.Socket + ")/", "socket " + s.Socket + " ([database] dsn) as root", []string{"mariadb-dump", "--single-transaction", "mk"}},
		{"tcp with password", fmt.Sprintf("bk:%s@tcp(127.0.0.1:%d)/", pw, s.Port),
			fmt.Sprintf("127.0.0.1:%d over TCP ([database] dsn) as bk (password from the DSN, in a private 0600 option file)", s.Port), slow},
		{"no-defaults dump", fmt.Sprintf("bk:%s@tcp(127.0.0.1:%d)/", pw, s.Port), "",
			[]string{"mariadb-dump", "--no-defaults", "--single-transaction", "mk"}},
		{"no-defaults dump over a socket", "root@unix(" + s.Socket + ")/", "",
			[]string{"mariadb-dump", "--no-defaults", "--single-transaction", "mk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			b := newBackup(dir, tc.argv)
			b.DSN = tc.dsn
			p, err := b.Plan(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			a := b.Action(p, nil)
			if tc.server != "" && a.Preview[0] != "dumps "+tc.server {
				t.Errorf("preview says %q, want %q", a.Preview[0], "dumps "+tc.server)
			}
			if strings.Contains(strings.Join(a.Preview, "\n")+strings.Join(a.Argv, " "), "p\"w") {
				t.Errorf("password in the preview: %q %q", a.Preview, a.Argv)
			}
			var seen []string
			stop, done := make(chan struct{}), make(chan struct{})
			go func() { // watch the running dump's argv until it is seen or the backup ends
				defer close(done)
				for len(seen) == 0 {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
						seen = dumpProcs()
					}
				}
			}()
			res := gate.New(false, "").Do(context.Background(), a)
			close(stop)
			<-done
			if !res.OK() {
				t.Fatal(res.Err)
			}
			text := dumped(t, res.Outcome.Details[0][len("wrote "):strings.Index(res.Outcome.Details[0], ":")])
			if !strings.Contains(text, "dsn-server") || strings.Contains(text, "machine-default-server") {
				t.Errorf("dumped the wrong server:\n%s", text)
			}
			if tc.argv[2] == slow[2] && len(seen) == 0 {
				t.Error("never saw the dump running")
			}
			for _, cmdline := range seen {
				if strings.Contains(cmdline, "p\"w") || strings.Contains(cmdline, "password=") {
					t.Errorf("password in the dump's argv: %q", cmdline)
				}
				if strings.Contains(tc.dsn, pw) && !strings.Contains(cmdline, fmt.Sprintf("/proc/%d/fd/", os.Getpid())) {
					t.Errorf("the dump does not read the password from the unlinked file: %q", cmdline)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "richsops-dump-*")); len(left) > 0 {
				t.Errorf("option file left: %v", left)
			}
		})
	}
}

func TestDumpConn(t *testing.T) {
	for _, tc := range []struct {
		name, dsn string
		argv      []string
		want      []string
	}{
		{"socket", "root@unix(/s.sock)/", []string{"mysqldump", "--all-databases"},
			[]string{"mysqldump", "--protocol=SOCKET", "--socket=/s.sock", "--user=root", "--all-databases"}},
		{"tcp password", "bk:x@tcp(db1.example:3307)/richs", []string{"mysqldump", "-A"},
			[]string{"mysqldump", "--defaults-extra-file=F", "--protocol=TCP", "--host=db1.example", "--port=3307", "--user=bk", "-A"}},
		{"tcp default port", "bk@tcp(db1.example)/", []string{"mariadb-dump"},
			[]string{"mariadb-dump", "--protocol=TCP", "--host=db1.example", "--port=3306", "--user=bk"}},
		{"no-defaults", "bk:x@tcp(db1.example:3307)/", []string{"/usr/bin/mariadb-dump", "--no-defaults", "db"},
			[]string{"/usr/bin/mariadb-dump", "--defaults-file=F", "--protocol=TCP", "--host=db1.example", "--port=3307", "--user=bk", "db"}},
		{"no-defaults without a password", "root@unix(/s.sock)/", []string{"mariadb-dump", "--no-defaults", "--defaults-group-suffix=x", "db"},
			[]string{"mariadb-dump", "--no-defaults", "--defaults-group-suffix=x", "--protocol=SOCKET", "--socket=/s.sock", "--user=root", "db"}},
		{"dump names the target", "bk:x@tcp(db1.example:3307)/", []string{"mysqldump", "-S/other.sock", "db"},
			[]string{"mysqldump", "--defaults-extra-file=F", "--user=bk", "-S/other.sock", "db"}},
		{"dump names the user", "bk:x@tcp(db1.example:3307)/", []string{"mysqldump", "--user", "me", "db"},
			[]string{"mysqldump", "--protocol=TCP", "--host=db1.example", "--port=3307", "--user", "me", "db"}},
		{"dump's own option file", "bk:x@tcp(db1.example:3307)/", []string{"mysqldump", "--defaults-file=/root/b.cnf", "db"},
			[]string{"mysqldump", "--defaults-file=/root/b.cnf", "db"}},
		{"not a mysqldump", "bk:x@tcp(db1.example:3307)/", []string{"/usr/local/bin/dump-wrapper", "db"},
			[]string{"/usr/local/bin/dump-wrapper", "db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DumpConn(tc.dsn, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			secret := ""
			if c.Password != "" {
				secret = "F"
			}
			if got := c.DumpArgv(tc.argv, secret); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	for argv, want := range map[string]string{
		"mysqldump --socket /o.sock db":     "the server of the dump command's --socket /o.sock ([backup] dump) as bk (password from the DSN, in a private 0600 option file)",
		"mysqldump -hdb2.example -uroot db": "the server of the dump command's -hdb2.example ([backup] dump)",
		"mysqldump --login-path=bk db":      "as the dump command's --login-path=bk says ([backup] dump)",
		"mysqldump db":                      "db1.example:3307 over TCP ([database] dsn) as bk (password from the DSN, in a private 0600 option file)",
	} {
		if c, err := DumpConn("bk:x@tcp(db1.example:3307)/", strings.Fields(argv)); err != nil || c.String() != want {
			t.Errorf("%s:\n got  %q %v\n want %q", argv, c.String(), err, want)
		}
	}
	if _, err := DumpConn("root@pipe(x)/", []string{"mysqldump"}); err == nil {
		t.Error("a protocol the dump cannot use was accepted")
	}
}

// fixedNow is a clock stopped at one second.
func fixedNow() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.Local) }

// Three backups in the same second get three names; none replaces another.
func TestNamesNeverCollide(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, append(dumpArgv(s, "rt"), "notes"))
	b.Cfg.Keep = 10
	b.Now = fixedNow
	var got []string
	for range 3 {
		got = append(got, filepath.Base(backupOnce(t, b).Path))
	}
	want := []string{"db-20260304-050607.sql.gz", "db-20260304-050607-2.sql.gz", "db-20260304-050607-3.sql.gz"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("names %v, want %v", got, want)
	}
	for _, n := range want {
		if _, err := Verify(filepath.Join(dir, n), true); err != nil {
			t.Error(err)
		}
	}
}

// A second backup into the same folder while one runs is refused (it
// would otherwise take the first one's name and free space).
func TestConcurrentBackupRefused(t *testing.T) {
	dir := t.TempDir()
	b := newBackup(dir, []string{"sleep", "3"})
	b.Now = fixedNow
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := b.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { _, err := b.Run(ctx, p, nil); first <- err }()
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(p.Path + Partial); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := b.Run(ctx, p, nil); err == nil || err.Error() != "another backup into "+dir+" is running" {
		t.Errorf("second backup: %v", err)
	}
	if _, err := os.Stat(p.Path + Partial); err != nil {
		t.Errorf("the running backup's partial file is gone: %v", err)
	}
	cancel()
	<-first
}

// touch makes files in dir.
func touch(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func names(es []entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return strings.Join(out, " ")
}

// A backup folder configured as a symlink to another disk works: listed,
// locked, written and rotated in the folder it points to.
func TestSymlinkedBackupFolder(t *testing.T) {
	s := needServer(t)
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "backups")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	touch(t, real, "db-20200101-000000.sql.gz")
	b := newBackup(link, append(dumpArgv(s, "rt"), "notes"))
	b.Cfg.Keep = 1
	r := backupOnce(t, b)
	if len(r.Removed) != 1 || filepath.Base(r.Removed[0]) != "db-20200101-000000.sql.gz" {
		t.Errorf("removed %v", r.Removed)
	}
	if _, err := Verify(filepath.Join(real, filepath.Base(r.Path)), true); err != nil {
		t.Error(err)
	}
}

// Rotation counts only its own pattern, orders by the time in the name and
// never picks the backup just written.
func TestRotation(t *testing.T) {
	const fresh = "db-20260304-050607.sql.gz"
	for _, tc := range []struct {
		name  string
		files []string
		keep  int
		gone  string
	}{
		{"names that sort after it", []string{"db-backup-a.sql.gz", "db-backup-b.sql.gz", "db-manual.sql.gz"}, 3, ""},
		{"clock was ahead", []string{"db-20991231-000000.sql.gz", "db-20990101-000000.sql.gz", "db-20990601-000000.sql.gz"}, 3, "db-20990101-000000.sql.gz"},
		{"oldest go", []string{"db-20260101-000000.sql.gz", "db-20260102-000000-2.sql.gz", "db-20260102-000000.sql.gz", "db-20260103-000000.sql.gz"}, 3,
			"db-20260101-000000.sql.gz db-20260102-000000.sql.gz"},
		{"sequence within a second", []string{"db-20260102-000000-10.sql.gz", "db-20260102-000000-9.sql.gz", "db-20260102-000000.sql.gz"}, 2,
			"db-20260102-000000.sql.gz db-20260102-000000-9.sql.gz"},
		{"keep 1", []string{"db-20270101-000000.sql.gz"}, 1, "db-20270101-000000.sql.gz"},
		{"not ours", []string{"db-20260101-000000.sql.gz.bak", "db-20260101-000000-1.sql.gz", "db-20260101-000000-x.sql.gz", "xdb-20260101-000000.sql.gz", "db-20261301-000000.sql.gz"}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			touch(t, dir, append(tc.files, fresh, "db-20200101-000000.sql.gz.partial")...)
			removed, err := Rotate(dir, tc.keep, fresh)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range removed {
				got = append(got, filepath.Base(r))
			}
			if strings.Join(got, " ") != tc.gone {
				t.Errorf("removed %q, want %q", got, tc.gone)
			}
			if _, err := os.Stat(filepath.Join(dir, fresh)); err != nil {
				t.Errorf("the new backup is gone: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "db-20200101-000000.sql.gz.partial")); err != nil {
				t.Errorf("rotation removed a partial file: %v", err)
			}
		})
	}
}

// The real backup with three older files whose names sort after its own
// and keep = 3: the new backup stays (today's rotation removed it).
func TestBackupSurvivesItsRotation(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	touch(t, dir, "db-backup-a.sql.gz", "db-backup-b.sql.gz", "db-backup-c.sql.gz")
	r := backupOnce(t, newBackup(dir, append(dumpArgv(s, "rt"), "notes")))
	if _, err := Verify(r.Path, true); err != nil {
		t.Errorf("the backup just written: %v", err)
	}
	if len(r.Removed) != 0 {
		t.Errorf("removed %v", r.Removed)
	}
}

// A symlink or folder with a backup's name is never touched, and a file
// replaced between listing and removal is refused.
func TestRemoveChecksIdentity(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	touch(t, outside, "precious")
	if err := os.Symlink(filepath.Join(outside, "precious"), filepath.Join(dir, "db-20200101-000000.sql.gz")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "db-20200102-000000.sql.gz"), 0o700); err != nil {
		t.Fatal(err)
	}
	touch(t, dir, "db-20200103-000000.sql.gz", "db-20200104-000000.sql.gz", "swap")
	done, _, err := listDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if names(done) != "db-20200103-000000.sql.gz db-20200104-000000.sql.gz" {
		t.Fatalf("listed %s", names(done))
	}
	if err := os.Rename(filepath.Join(dir, "swap"), filepath.Join(dir, "db-20200103-000000.sql.gz")); err != nil {
		t.Fatal(err)
	}
	if removed, err := removeBackupFiles(dir, done[:1]); err == nil || len(removed) != 0 {
		t.Errorf("a swapped file was removed: %v %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db-20200103-000000.sql.gz")); err != nil {
		t.Error(err)
	}
	// Listed afresh, the swapped file is an ordinary old backup; the
	// symlink and the folder are never candidates.
	if removed, err := Rotate(dir, 1, ""); err != nil || len(removed) != 1 || filepath.Base(removed[0]) != "db-20200103-000000.sql.gz" {
		t.Errorf("rotate: %v %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(outside, "precious")); err != nil {
		t.Errorf("the symlink's target was removed: %v", err)
	}
}

// A partial file left by a crash is removed by the next backup (and said
// so); planning creates nothing, so a refused backup leaves no folder.
func TestStalePartialAndNothingBeforeTheGate(t *testing.T) {
	s := needServer(t)
	dir := filepath.Join(t.TempDir(), "not", "yet")
	b := newBackup(dir, append(dumpArgv(s, "rt"), "notes"))
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res := gate.New(true, "").Do(context.Background(), b.Action(p, nil)); res.OK() {
		t.Fatal("read-only gate ran the backup")
	}
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Fatalf("a refused backup created %s: %v", filepath.Dir(dir), err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	touch(t, dir, "db-20200101-000000.sql.gz.partial", "other.partial")
	res := gate.New(false, "").Do(context.Background(), b.Action(p, nil))
	if !res.OK() {
		t.Fatal(res.Err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db-20200101-000000.sql.gz.partial")); !os.IsNotExist(err) {
		t.Errorf("the crashed backup's partial file stays: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.partial")); err != nil {
		t.Errorf("a file not of ours was removed: %v", err)
	}
	gatetest.Has(t, "details", res.Outcome.Details, "removed the partial file of an earlier backup that did not finish: "+filepath.Join(dir, "db-20200101-000000.sql.gz.partial"))
}

// FuzzParseName: a name is ours only when writing its time and sequence
// back gives the same name, so rotation never takes a stranger's file.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"db-20260304-050607.sql.gz", "db-20260304-050607-2.sql.gz.partial", "db-backup-a.sql.gz", "db-20260304-050607-02.sql.gz", "db-20260304-050607-1.sql.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := parseName(s)
		if !ok {
			return
		}
		back := fileName(e.At, e.Seq)
		if e.Partial {
			back += Partial
		}
		if back != s {
			t.Errorf("%q parsed as %v seq %d, written back as %q", s, e.At, e.Seq, back)
		}
	})
}
