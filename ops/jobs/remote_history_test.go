package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/internal/testenv/testbin"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
)

// remoteBox is "db1": this machine over a private sshd whose sessions find
// commands in bin first and read the config file cfgPath, whose history
// database is dbPath.
type remoteBox struct {
	bin, cfgPath, dbPath string
	srv                  *sshtest.Server
	h                    host.Host
}

func newRemoteBox(t *testing.T) *remoteBox {
	t.Helper()
	dir := t.TempDir()
	b := &remoteBox{bin: filepath.Join(dir, "bin"), cfgPath: filepath.Join(dir, "config.toml"), dbPath: filepath.Join(dir, "history.db")}
	if err := os.Mkdir(b.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("audit_log = %q\nlock_dir = %q\nstate_dir = %q\n[history]\npath = %q\n[guard]\nstate_file = %q\n[crontab]\npath = %q\n",
		filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "locks"), filepath.Join(dir, "state"), b.dbPath, filepath.Join(dir, "guard.json"), filepath.Join(dir, "crontab"))
	if err := os.WriteFile(b.cfgPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	b.srv = sshtest.StartEnvT(t, "PATH="+b.bin+":/usr/bin:/bin", config.EnvVar+"="+b.cfgPath)
	h, err := host.NewSSH(b.srv.Entry("db1"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	b.h = h
	return b
}

// install puts a real richsops binary on the box's PATH.
func (b *remoteBox) install(t *testing.T) {
	t.Helper()
	testbin.Build(t, "github.com/richs/richsops", filepath.Join(b.bin, "richsops"))
}

// TestRemoteHistory: another host's runs come from its own richsops over
// ssh (a real binary reading its own database there), judged there, and
// grouped as the Jobs tab shows them; with no richsops there, with an ssh
// that cannot connect and with one that does not answer, the error names
// the host and says which it is, within the timeout.
func TestRemoteHistory(t *testing.T) {
	b := newRemoteBox(t)
	cfg := config.Default()
	ctx := context.Background()

	t.Run("not installed", func(t *testing.T) {
		_, err := HistoryOn(ctx, b.h, cfg)
		if !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("err = %v, want ErrNotInstalled", err)
		}
		want := "run history of db1: richsops is not installed there; install it and run `richsops watch` there"
		if err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
		ja := config.Default()
		ja.Lang = "ja"
		if _, err := HistoryOn(ctx, b.h, ja); !strings.Contains(err.Error(), "db1 の実行履歴: richsops がインストールされていません") || !errors.Is(err, ErrNotInstalled) {
			t.Errorf("ja: %v", err)
		}
	})

	b.install(t)
	t.Run("no history there", func(t *testing.T) {
		_, err := HistoryOn(ctx, b.h, cfg)
		if err == nil || errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "run history of db1: ") || !strings.Contains(err.Error(), "no history yet") {
			t.Errorf("err = %v, want db1's own words: no history yet", err)
		}
	})

	job, other := cfg.Jobs[0].Name, cfg.Jobs[1].Name
	s, err := history.OpenWriter(ctx, b.dbPath, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code := func(c int) *int { return &c }
	now := time.Now().Truncate(time.Second)
	var rs []history.Run
	for i := range 30 { // job: 30 runs of 10-12 min, the last one failed
		st := now.Add(-time.Duration(30-i) * 12 * time.Hour)
		c := 0
		if i == 29 {
			c = 2
		}
		rs = append(rs, history.Run{Job: job, Host: "db1", Start: st, End: st.Add(10*time.Minute + time.Duration(i%3)*time.Minute), ExitCode: code(c),
			Trigger: history.TriggerCron, User: "root", Counts: map[string]int{"withdrawn": i}})
	}
	rs = append(rs, history.Run{Job: other, Host: "db1", Start: now.Add(-time.Hour), Trigger: history.TriggerConsole, User: "root", SudoUser: "hai"})
	if _, err := s.AddRuns(ctx, rs); err != nil {
		t.Fatal(err)
	}
	s.Close()

	t.Run("installed", func(t *testing.T) {
		got, err := HistoryOn(ctx, b.h, cfg)
		if err != nil {
			t.Fatal(err)
		}
		jr := got[job]
		if len(jr.Runs) != HistoryRuns {
			t.Fatalf("%d runs of %s, want the last %d", len(jr.Runs), job, HistoryRuns)
		}
		last, _ := jr.Last()
		if !last.Start.Equal(rs[29].Start) || last.ExitCode == nil || *last.ExitCode != 2 || !strings.Contains(strings.Join(last.Flags, ","), history.FlagFailed) || last.Counts["withdrawn"] != 29 {
			t.Errorf("last run = %+v, want the failed one at %s with its counts", last, rs[29].Start)
		}
		if want := history.BaselineOf(rs[9:29]); jr.Baseline.Runs != 20 || jr.Baseline.Median != want.Median || jr.Baseline.P90 != want.P90 {
			t.Errorf("baseline = %+v, want %+v", jr.Baseline, want)
		}
		o, ok := got[other].Last()
		if !ok || o.User != "root" || o.SudoUser != "hai" || !o.End.IsZero() || strings.Join(o.Flags, ",") != history.FlagRunning {
			t.Errorf("running run of %s = %+v, ok %v", other, o, ok)
		}
	})

	t.Run("one job, since", func(t *testing.T) {
		got, err := RemoteRuns(ctx, b.h, cfg, job, "50h")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Errorf("%d runs in 50 hours, want 4", len(got))
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		closed := freeport.For(t) // nothing listens there
		h, err := host.NewSSH(b.srv.EntryPort("db1", closed), host.SSHConfig{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = HistoryOn(ctx, h, cfg)
		if !errors.Is(err, host.ErrUnreachable) || errors.Is(err, ErrNotInstalled) || !strings.HasPrefix(err.Error(), "run history of db1: ") {
			t.Errorf("err = %v, want db1 unreachable", err)
		}
	})

	t.Run("silent", func(t *testing.T) {
		hang := "#!/bin/sh\nexec sleep 60\n"
		if err := os.WriteFile(filepath.Join(b.bin, "richsops"), []byte(hang), 0o755); err != nil {
			t.Fatal(err)
		}
		defer func(d time.Duration) { RemoteTimeout = d }(RemoteTimeout)
		RemoteTimeout = time.Second
		t0 := time.Now()
		_, err := HistoryOn(ctx, b.h, cfg)
		if took := time.Since(t0); took > 10*time.Second {
			t.Errorf("gave up after %s, want about %s", took, RemoteTimeout)
		}
		if !errors.Is(err, host.ErrTimeout) || !strings.HasPrefix(err.Error(), "run history of db1: ") {
			t.Errorf("err = %v, want a timeout naming db1", err)
		}
	})
}
