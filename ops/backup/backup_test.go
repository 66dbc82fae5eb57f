package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/pgzip"

	"github.com/richs/richsops/internal/testenv/mysqltest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/gate"
	"github.com/richs/richsops/ops/host"
)

var (
	srv     *mysqltest.Server
	srvSkip string
)

func TestMain(m *testing.M) {
	mysqltest.Main(m, "rsbk", mysqltest.Options{}, `CREATE DATABASE rt; USE rt;
CREATE TABLE rt.items (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(200), code CHAR(32), price INT) DEFAULT CHARSET=utf8mb4;
INSERT INTO rt.items (title, code, price) SELECT CONCAT('商品 ', seq, ' ワイヤレス'), MD5(seq), seq % 5000 FROM seq_1_to_60000;
INSERT INTO rt.items (title, code, price) SELECT title, MD5(CONCAT(code, 'x')), price FROM rt.items;
CREATE TABLE rt.notes (id INT PRIMARY KEY, body TEXT);
INSERT INTO rt.notes VALUES (1, 'line\nwith \'quotes\' and \\\\ backslash');
CREATE TRIGGER price_guard BEFORE INSERT ON items FOR EACH ROW SET NEW.price = GREATEST(NEW.price, 0);
CREATE PROCEDURE rt.total() SELECT SUM(price) FROM rt.items;`, &srv, &srvSkip)
}

func needServer(t *testing.T) *mysqltest.Server {
	t.Helper()
	if srv == nil {
		mysqltest.SkipOrFail(t, srvSkip)
	}
	return srv
}

func dumpArgv(s *mysqltest.Server, db string) []string {
	return append(append([]string{"mariadb-dump"}, s.ClientArgs()...),
		"--single-transaction", "--quick", "--routines", "--triggers", "--events", db)
}

func newBackup(dir string, argv []string) *Backup {
	return &Backup{Cfg: config.Backup{Dir: dir, Keep: 3, Dump: argv, Level: 6, MinFree: "1KiB"}, Host: host.NewLocal()}
}

func query(t *testing.T, s *mysqltest.Server, q string) string {
	t.Helper()
	out, err := exec.Command("mariadb", append(s.ClientArgs(), "-N", "-e", q)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", q, err, out)
	}
	return strings.TrimSpace(string(out))
}

// checksums is CHECKSUM TABLE's figure per table of db.
func checksums(t *testing.T, s *mysqltest.Server, db string) string {
	t.Helper()
	var out []string
	for _, tb := range []string{"items", "notes"} {
		line := query(t, s, "CHECKSUM TABLE "+db+"."+tb)
		f := strings.Fields(line)
		out = append(out, tb+"="+f[len(f)-1])
	}
	return strings.Join(out, " ")
}

func TestRoundTrip(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, dumpArgv(s, "rt"))
	ctx := context.Background()
	p, err := b.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var last atomic.Value
	a := b.Action(p, func(pr Progress) { calls.Add(1); last.Store(pr) })
	res := gate.New(false, "").Do(ctx, a)
	if !res.OK() {
		t.Fatal(res.Err)
	}
	if fin := last.Load().(Progress); !fin.Done || fin.DumpBytes == 0 || fin.Fraction() != 1 {
		t.Errorf("last progress %+v", fin)
	}
	if _, err := os.Stat(p.Path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.Path + Partial); !os.IsNotExist(err) {
		t.Errorf("partial left: %v", err)
	}
	// Restore into a new database and compare checksums.
	query(t, s, "CREATE DATABASE rt_restored")
	restore := exec.Command("mariadb", append(s.ClientArgs(), "rt_restored")...)
	restore.Stdin = strings.NewReader(dumped(t, p.Path))
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if a, b := checksums(t, s, "rt"), checksums(t, s, "rt_restored"); a != b {
		t.Errorf("checksums differ: %s vs %s", a, b)
	}
	if got := query(t, s, "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema='rt_restored'"); got != "1" {
		t.Errorf("triggers restored: %s", got)
	}
}

func TestRotateKeepsNewest(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"db-20250101-000000.sql.gz", "db-20250102-000000.sql.gz", "db-20250103-000000.sql.gz", "db-20250104-000000.sql.gz", "other.sql.gz", "db-20250105-000000.sql.gz.partial"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := Rotate(dir, 2, "")
	if err != nil || len(removed) != 2 || filepath.Base(removed[0]) != "db-20250101-000000.sql.gz" {
		t.Fatalf("%v %v", removed, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 4 {
		t.Errorf("left %v", left)
	}
}

// noCompleteLookingFile fails when dir holds a backup or a partial file.
func noCompleteLookingFile(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// killDump SIGKILLs the mariadb-dump process using socket.
func killDump(socket string) bool {
	pids := mysqltest.Pids("mariadb-dump", "--socket="+socket)
	return len(pids) > 0 && syscall.Kill(pids[0], syscall.SIGKILL) == nil
}

func TestDumpKilledMidway(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, dumpArgv(s, "rt"))
	b.Every = time.Millisecond
	ctx := context.Background()
	p, err := b.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var killed atomic.Bool
	_, err = b.Run(ctx, p, func(pr Progress) {
		if pr.DumpBytes > 0 && !killed.Load() && killDump(s.Socket) {
			killed.Store(true)
		}
	})
	if !killed.Load() {
		t.Skip("the dump finished before it could be killed")
	}
	if err == nil || !strings.Contains(err.Error(), "partial file removed") {
		t.Fatalf("err %v", err)
	}
	noCompleteLookingFile(t, dir)
}

func TestCancelledMidway(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, dumpArgv(s, "rt"))
	b.Every = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	p, err := b.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Run(ctx, p, func(pr Progress) {
		if pr.DumpBytes > 0 {
			cancel()
		}
	})
	if err == nil {
		t.Skip("the dump finished before the cancel")
	}
	noCompleteLookingFile(t, dir)
}

func TestDumpFailsShowsStderr(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, dumpArgv(s, "no_such_db"))
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Run(context.Background(), p, nil)
	if err == nil || !strings.Contains(err.Error(), "no_such_db") {
		t.Fatalf("stderr not shown: %v", err)
	}
	noCompleteLookingFile(t, dir)
}

func TestFullBackupDisk(t *testing.T) {
	s := needServer(t)
	dir := mysqltest.MountTmpfs(t, "1m")
	b := newBackup(dir, dumpArgv(s, "rt"))
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Run(context.Background(), p, nil)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err %v", err)
	}
	noCompleteLookingFile(t, dir)

	// The free-space check refuses before anything runs.
	b.Cfg.MinFree = "2MiB"
	if _, err := b.Plan(context.Background()); err == nil || !strings.Contains(err.Error(), "not enough free space") {
		t.Errorf("free-space check: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, body string, truncate int) string {
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		zw := pgzip.NewWriter(f)
		zw.Write([]byte(body))
		zw.Close()
		f.Close()
		if truncate > 0 {
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()-int64(truncate))
		}
		return p
	}
	if _, err := Verify(write("ok.gz", "x\n-- Dump completed on 2026-01-01\n", 0), true); err != nil {
		t.Errorf("good file: %v", err)
	}
	if _, err := Verify(write("notrailer.gz", "x\nINSERT\n", 0), true); err == nil {
		t.Error("missing trailer accepted")
	}
	if _, err := Verify(write("cut.gz", strings.Repeat("x", 5000)+"\n-- Dump completed\n", 4), true); err == nil {
		t.Error("truncated gzip accepted")
	}
}

// A server that hangs holds the dump without output: the stall watchdog
// ends it and nothing complete-looking is left.
func TestStalledDumpEnds(t *testing.T) {
	s := needServer(t)
	dir := t.TempDir()
	b := newBackup(dir, dumpArgv(s, "rt"))
	b.Stall = 2 * time.Second
	p, err := b.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer s.Signal(syscall.SIGCONT)
	_, err = b.Run(context.Background(), p, nil)
	s.Signal(syscall.SIGCONT)
	if err == nil || !strings.Contains(err.Error(), "wrote nothing") {
		t.Fatalf("err %v", err)
	}
	noCompleteLookingFile(t, dir)
	if err := s.WaitUp(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestEstimate: the estimate comes only from a previous backup of some
// size, and is dropped, not held at 99%, once this one is larger (issue
// 17, item 23).
func TestEstimate(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name string
		p    Progress
		frac float64
		says string // in String; "" = no estimate
	}{
		{"tiny last backup", Progress{FileBytes: 5 * mib, Expected: 138}, -1, ""},
		{"no last backup", Progress{FileBytes: 5 * mib}, -1, ""},
		{"half way", Progress{FileBytes: 50 * mib, Expected: 100 * mib}, 0.5, "~50% of the last backup's size"},
		{"near the end", Progress{FileBytes: 100 * mib, Expected: 100 * mib}, 0.99, "~99% of the last backup's size"},
		{"past the last size", Progress{FileBytes: 120 * mib, Expected: 100 * mib}, -1, "larger than the last backup (100 MiB)"},
		{"done", Progress{FileBytes: 120 * mib, Expected: 138, Done: true}, 1, ""},
	} {
		if f := c.p.Fraction(); f != c.frac {
			t.Errorf("%s: Fraction %v, want %v", c.name, f, c.frac)
		}
		s := c.p.String()
		if c.says != "" && !strings.Contains(s, c.says) || c.says == "" && strings.Contains(s, "last backup") {
			t.Errorf("%s: %q", c.name, s)
		}
	}
}

// TestList: the backups of the folder newest first, with size and taken
// time from the name; a partial file is listed as not verified; files not
// of our pattern (and links, folders) are not listed.
func TestList(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, size int) {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("db-20261120-030000.sql.gz", 10)
	write("db-20261127-030000.sql.gz", 30)
	write("db-20261127-030000-2.sql.gz", 40)
	write("db-20261125-030000.sql.gz", 20)
	write("db-20261128-030000.sql.gz"+Partial, 5)
	write("richs-20261129.sql.gz", 1)
	os.Symlink(filepath.Join(dir, "db-20261120-030000.sql.gz"), filepath.Join(dir, "db-20261129-030000.sql.gz"))
	os.Mkdir(filepath.Join(dir, "db-20261130-030000.sql.gz"), 0o755)
	files, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%s %d %v %s", f.Name, f.Size, f.Verified, f.At.Format("01-02")))
	}
	want := []string{
		"db-20261128-030000.sql.gz.partial 5 false 11-28",
		"db-20261127-030000-2.sql.gz 40 true 11-27",
		"db-20261127-030000.sql.gz 30 true 11-27",
		"db-20261125-030000.sql.gz 20 true 11-25",
		"db-20261120-030000.sql.gz 10 true 11-20",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if files, err := List(filepath.Join(dir, "none")); err != nil || len(files) != 0 {
		t.Errorf("missing folder: %v %v", files, err)
	}
}
