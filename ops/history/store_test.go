package history

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as the second process of the fault tests: with
// HISTORY_HELPER set it does that one thing to the database and exits.
func TestMain(m *testing.M) {
	if mode := os.Getenv("HISTORY_HELPER"); mode != "" {
		os.Exit(helper(mode, os.Getenv("HISTORY_DB")))
	}
	os.Exit(m.Run())
}

func helper(mode, path string) int {
	ctx := context.Background()
	s, err := OpenWriter(ctx, path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	switch mode {
	case "hold":
		// Hold a write transaction until stdin closes or a line arrives.
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			fmt.Println("begin:", err)
			return 1
		}
		if _, err := tx.Exec(`INSERT INTO events (ts_ms, kind) VALUES (1, 'hold')`); err != nil {
			fmt.Println("insert:", err)
			return 1
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		if err := tx.Commit(); err != nil {
			fmt.Println("commit:", err)
			return 1
		}
	case "write":
		// Write samples as fast as possible until killed.
		fmt.Println("writing")
		t := time.Unix(1_700_000_000, 0)
		for i := 0; ; i++ {
			batch := make([]Sample, 50)
			for j := range batch {
				batch[j] = Sample{Metric: MetricLoad1, Host: "local", Time: t.Add(time.Duration(i*50+j) * time.Second), Value: float64(j)}
			}
			if err := s.AddSamples(ctx, batch); err != nil {
				fmt.Println("add:", err)
				return 1
			}
		}
	}
	return 0
}

func helperCmd(t *testing.T, mode, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HISTORY_HELPER="+mode, "HISTORY_DB="+path)
	return cmd
}

func openT(t *testing.T, path string, o Options) *Store {
	t.Helper()
	s, err := OpenWriter(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSchemaAndRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "history.db")
	if _, err := OpenReader(ctx, path, Options{}); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("reader before any writer: %v, want ErrNoDatabase", err)
	}
	s := openT(t, path, Options{})
	var mode string
	s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	id, err := s.StartRun(ctx, Run{Job: "check_item_mercari", Host: "local", PID: 42, Start: start, Trigger: TriggerCron, User: "richs", Argv: []string{"python", "manage.py", "check_item_mercari"}, LogFrom: 10})
	if err != nil {
		t.Fatal(err)
	}
	open, _ := s.OpenRuns(ctx, "local")
	if len(open) != 1 || open[0].PID != 42 {
		t.Fatalf("open runs %+v", open)
	}
	code := 1
	if err := s.EndRun(ctx, id, End{At: start.Add(90 * time.Second), ExitCode: &code, Counts: map[string]int{"errors": 3}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening migrates nothing and keeps the data; a reader sees it.
	s = openT(t, path, Options{})
	r, err := OpenReader(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runs, err := r.Runs(ctx, RunsQuery{Job: "check_item_mercari", Argv: true})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %+v", err, runs)
	}
	got := runs[0]
	if got.Duration() != 90*time.Second || got.ExitCode == nil || *got.ExitCode != 1 || got.Counts["errors"] != 3 || got.Trigger != TriggerCron || got.Argv[2] != "check_item_mercari" {
		t.Errorf("round trip: %+v", got)
	}
	var v int
	s.DB().QueryRow("PRAGMA user_version").Scan(&v)
	if v != SchemaVersion() {
		t.Errorf("user_version %d, want %d", v, SchemaVersion())
	}
	if err := r.AddEvent(ctx, Event{Time: start, Kind: EventWatch}); err == nil {
		t.Error("a reader wrote")
	}
}

// A schema written by a newer richsops is refused, not clobbered.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s := openT(t, path, Options{})
	s.DB().Exec("PRAGMA user_version = 99")
	s.Close()
	_, err := OpenWriter(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("err %v, want newer-schema refusal", err)
	}
}

// Another process holding a write transaction: a writer waits up to its
// busy_timeout, succeeding when the other commits in time and failing with
// a busy error (not hanging) when it does not.
func TestLockedByAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	openT(t, path, Options{}).Close()

	hold := func() (release func()) {
		cmd := helperCmd(t, "hold", path)
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if strings.TrimSpace(line) != "locked" {
			t.Fatalf("helper: %q", line)
		}
		return func() { in.Write([]byte("\n")); in.Close(); cmd.Wait() }
	}

	release := hold()
	s := openT(t, path, Options{BusyTimeout: 300 * time.Millisecond})
	t0 := time.Now()
	err := s.AddEvent(ctx, Event{Time: time.Now(), Kind: EventWatch})
	if !IsBusy(err) {
		t.Fatalf("short timeout: %v, want busy", err)
	}
	if d := time.Since(t0); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %s, want about the 300ms timeout", d)
	}
	release()
	s.Close()

	release = hold()
	s = openT(t, path, Options{BusyTimeout: 10 * time.Second})
	go func() { time.Sleep(500 * time.Millisecond); release() }()
	t0 = time.Now()
	if err := s.AddEvent(ctx, Event{Time: time.Now(), Kind: EventWatch}); err != nil {
		t.Fatalf("long timeout: %v", err)
	}
	if d := time.Since(t0); d < 400*time.Millisecond {
		t.Errorf("did not wait for the lock (%s)", d)
	}
	evs, _ := s.Events(ctx, "", time.Unix(0, 0))
	if len(evs) != 3 {
		t.Errorf("events %d, want the helper's and ours", len(evs))
	}
}

func TestCorruptMovedAside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	garbage := []byte(strings.Repeat("not a database at all\n", 400))
	os.WriteFile(path, garbage, 0o644)

	if _, err := OpenReader(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("reader on a corrupt file: %v", err)
	}
	s := openT(t, path, Options{})
	if !strings.Contains(s.Notice, "moved aside") {
		t.Errorf("notice %q", s.Notice)
	}
	m, _ := filepath.Glob(path + ".corrupt-*")
	if len(m) != 1 {
		t.Fatalf("aside files %v", m)
	}
	if b, _ := os.ReadFile(m[0]); string(b) != string(garbage) {
		t.Error("the corrupt file was not kept as it was")
	}
	if err := s.AddEvent(ctx, Event{Time: time.Now(), Kind: EventWatch}); err != nil {
		t.Fatalf("new database: %v", err)
	}

	// A damaged page in a real database (header intact) is found too.
	s.AddSamples(ctx, yearSamples(time.Unix(1_700_000_000, 0), 2000))
	s.Checkpoint(ctx)
	s.Close()
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	f.WriteAt([]byte(strings.Repeat("\xff", 4096)), 4096)
	f.Close()
	s2, err := OpenWriter(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Notice == "" {
		t.Error("a damaged page was not noticed")
	}
}

// A full disk under the database: writes fail with ErrFull, at once.
func TestFullDisk(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root for tmpfs")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	s, err := OpenWriter(ctx, filepath.Join(dir, "history.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Unix(1_700_000_000, 0)
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("512k tmpfs never filled")
		}
		t0 := time.Now()
		err := s.AddSamples(ctx, yearSamples(base.Add(time.Duration(i)*time.Hour), 200))
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrFull) {
			t.Fatalf("err %v, want ErrFull", err)
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("a full disk took %s to report", d)
		}
		break
	}
	// Another write fails the same way, and reads keep working.
	if err := s.AddEvent(ctx, Event{Time: base, Kind: EventWatch, Detail: strings.Repeat("x", 600_000)}); !errors.Is(err, ErrFull) {
		t.Errorf("second write: %v", err)
	}
	if _, err := s.Samples(ctx, SamplesQuery{Metric: MetricLoad1}); err != nil {
		t.Errorf("read on a full disk: %v", err)
	}
}

// A writer SIGKILLed in the middle of writing leaves a database that opens
// intact with every committed batch whole.
func TestSIGKILLWriterMidWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	openT(t, path, Options{}).Close()
	for round := 0; round < 3; round++ {
		cmd := helperCmd(t, "write", path)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(out).ReadString('\n')
		time.Sleep(time.Duration(200+round*150) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		s := openT(t, path, Options{})
		if s.Notice != "" {
			t.Fatalf("round %d: %s", round, s.Notice)
		}
		var n int
		if err := s.DB().QueryRow("SELECT COUNT(*) FROM samples").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 || n%50 != 0 {
			t.Errorf("round %d: %d samples, want whole batches of 50", round, n)
		}
		s.Close()
	}
}

// yearSamples is n samples of every metric the watch service writes, 30s apart.
func yearSamples(from time.Time, n int) []Sample {
	metrics := []string{MetricDiskRoot, MetricDiskDatadir, MetricDiskPublic, MetricFreeRoot, MetricFreeDatadir, MetricFreePublic, MetricBinlogBytes, MetricLoad1, MetricMemPercent}
	out := make([]Sample, 0, n*len(metrics))
	for i := 0; i < n; i++ {
		for j, m := range metrics {
			out = append(out, Sample{Metric: m, Host: "local", Time: from.Add(time.Duration(i) * 30 * time.Second), Value: float64(i*j) + 0.5})
		}
	}
	return out
}
