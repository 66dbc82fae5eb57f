package dbcmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/mysqltest"
)

// TestMain lets a test run this binary as `richsops` (the real CLI in a
// process of its own, to be signalled).
func TestMain(m *testing.M) {
	if os.Getenv("RICHSOPS_TEST_CLI") == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// richsops starts the CLI as its own process.
func richsops(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RICHSOPS_TEST_CLI=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// SIGHUP, SIGINT and SIGTERM sent to a running `richsops db backup` remove
// its partial file; the one a SIGKILL leaves is removed by the next backup.
// `--readonly db backup` creates nothing before it refuses.
func TestBackupSignalsAndCrash(t *testing.T) {
	s := mysqltest.StartT(t, "rssig")
	dir := s.Dir
	if err := s.Exec("CREATE DATABASE sg; CREATE TABLE sg.t (i INT); USE sg; INSERT INTO sg.t SELECT seq FROM seq_1_to_200;"); err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(dir, "backups")
	config := func(name string, dump ...string) string {
		var q []string
		for _, a := range dump {
			q = append(q, fmt.Sprintf("%q", a))
		}
		p := filepath.Join(dir, name+".toml")
		conf := fmt.Sprintf("audit_log = %q\n[database]\ndsn = %q\ndatadir = %q\n[backup]\ndir = %q\nkeep = 3\nmin_free = \"1KiB\"\ndump = [%s]\n",
			filepath.Join(dir, "audit.jsonl"), "root@unix("+s.Socket+")/", s.Datadir, backups, strings.Join(q, ", "))
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// 200 rows at 0.1 s each: the dump runs for 20 s unless stopped.
	slow := config("slow", "mariadb-dump", "--single-transaction", "--where=SLEEP(0.1) = 0", "sg")
	fast := config("fast", "mariadb-dump", "--single-transaction", "sg")

	ro, out := richsops(t, "--config", fast, "--readonly", "--yes", "db", "backup")
	if err := ro.Wait(); err == nil || !strings.Contains(out.String(), "read-only") {
		t.Errorf("read-only backup: %v %s", err, out)
	}
	if _, err := os.Stat(backups); !os.IsNotExist(err) {
		t.Fatalf("--readonly db backup created %s: %v", backups, err)
	}

	// running starts the slow backup and waits until its dump runs.
	running := func(t *testing.T) (*exec.Cmd, *bytes.Buffer, string) {
		cmd, out := richsops(t, "--config", slow, "--yes", "db", "backup")
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			partial, _ := filepath.Glob(filepath.Join(backups, "db-*.sql.gz.partial"))
			if len(partial) == 1 && len(mysqltest.Pids("mariadb-dump", "--socket="+s.Socket)) > 0 {
				return cmd, out, partial[0]
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the backup never ran its dump: %s", out)
		return nil, nil, ""
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, out, partial := running(t)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("exit: %v, want exit status 1\n%s", err, out)
			}
			if _, err := os.Stat(partial); !os.IsNotExist(err) {
				t.Errorf("%s left %s: %v", sig, partial, err)
			}
			if done, _ := filepath.Glob(filepath.Join(backups, "db-*.sql.gz")); len(done) != 0 {
				t.Errorf("a stopped backup looks complete: %v", done)
			}
			waitGone(t, s.Socket)
		})
	}
	t.Run("SIGKILL then the next backup", func(t *testing.T) {
		cmd, _, partial := running(t)
		cmd.Process.Kill()
		cmd.Wait()
		for _, pid := range mysqltest.Pids("mariadb-dump", "--socket="+s.Socket) {
			syscall.Kill(pid, syscall.SIGKILL) // the orphaned dump
		}
		waitGone(t, s.Socket)
		if _, err := os.Stat(partial); err != nil {
			t.Fatalf("SIGKILL left no partial file to test with: %v", err)
		}
		next, out := richsops(t, "--config", fast, "--yes", "db", "backup")
		if err := next.Wait(); err != nil {
			t.Fatalf("next backup: %v\n%s", err, out)
		}
		if _, err := os.Stat(partial); !os.IsNotExist(err) {
			t.Errorf("the crashed backup's %s stays: %v", partial, err)
		}
		if !strings.Contains(out.String(), "did not finish: "+partial) {
			t.Errorf("the removal is not reported:\n%s", out)
		}
	})

	var stat bytes.Buffer
	// The exit code is 1 here: the test's config names no my.cnf that exists.
	if code := cli.Main([]string{"--config", fast, "db", "status"}, strings.NewReader(""), &stat, &stat); code == cli.ExitUsage ||
		!strings.Contains(stat.String(), "backup:   dumps socket "+s.Socket+" ([database] dsn) as root") {
		t.Errorf("db status does not say which server is dumped (%d):\n%s", code, stat.String())
	}
}

// waitGone waits until no dump of the server runs.
func waitGone(t *testing.T, socket string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(mysqltest.Pids("mariadb-dump", "--socket="+socket)) == 0 {
			return
		}
	}
	t.Errorf("the dump still runs: %v", mysqltest.Pids("mariadb-dump", "--socket="+socket))
}
