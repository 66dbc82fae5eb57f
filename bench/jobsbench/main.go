// Command jobsbench measures one refresh of the job process list (ops/jobs
// List, reading /proc) against `pgrep -f` over the same live processes.
// Run it through bench/jobs.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/jobs"
)

func main() {
	n := flag.Int("n", 3000, "live processes to start")
	runs := flag.Int("runs", 21, "refreshes timed per tool")
	flag.Parse()

	job := fmt.Sprintf("check_item_bench%d", os.Getpid())
	const matching = 5
	var pgid int
	start := func(argv ...string) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "start:", err)
			cleanup(pgid)
			os.Exit(1)
		}
		if pgid == 0 {
			pgid = cmd.Process.Pid
		}
		go cmd.Wait()
	}
	t0 := time.Now()
	// Each matching job is a shell with a sleep child: 2 processes.
	for i := 0; i < matching; i++ {
		start("sh", "-c", "sleep 3600; :", "manage.py", job, "2", "4", "--max-workers", "14")
	}
	for i := 0; i < *n-2*matching; i++ {
		start("sleep", fmt.Sprintf("%d.%03d", 3600+i%7, i%1000))
	}
	defer cleanup(pgid)
	time.Sleep(2 * time.Second) // let the shells fork their sleeps
	fmt.Fprintf(os.Stderr, "started %d processes in %s\n", *n, time.Since(t0).Round(time.Millisecond))

	h := host.NewLocal()
	// The bench's processes run here, as root: the default match rule's.
	cfg := config.Default()
	cfg.App.Dir, _ = os.Getwd()
	names := []string{"check_item_yahoo", "check_item_mercari", "update_item_yahoo", "update_item_mercari", job}
	var found int
	ours := timeIt(*runs, func() {
		ps, err := jobs.List(context.Background(), h, cfg, names)
		if err != nil {
			panic(err)
		}
		found = 0
		for _, p := range ps {
			if p.Job == job {
				found++
			}
		}
	})
	var pgrepFound int
	ref := timeIt(*runs, func() {
		out, _ := exec.Command("pgrep", "-f", "manage\\.py "+job).Output()
		pgrepFound = len(strings.Fields(string(out)))
	})
	total, _ := os.ReadDir("/proc")
	procs := 0
	for _, e := range total {
		if e.Name()[0] >= '0' && e.Name()[0] <= '9' {
			procs++
		}
	}
	fmt.Printf("| processes on the machine | %d |\n", procs)
	fmt.Printf("| jobs.List (one refresh, /proc) median | %s | found %d |\n", ours.Round(time.Microsecond), found)
	fmt.Printf("| pgrep -f median | %s | found %d |\n", ref.Round(time.Microsecond), pgrepFound)
	fmt.Printf("| ratio pgrep / jobs.List | %.1f× | goal ≥ 2× |\n", float64(ref)/float64(ours))
	if found != matching || pgrepFound != matching {
		fmt.Fprintf(os.Stderr, "mismatch: want %d matches\n", matching)
		cleanup(pgid)
		os.Exit(1)
	}
}

// timeIt returns the median of runs timings of f, after one warm-up.
func timeIt(runs int, f func()) time.Duration {
	f()
	d := make([]time.Duration, runs)
	for i := range d {
		t := time.Now()
		f()
		d[i] = time.Since(t)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[runs/2]
}

func cleanup(pgid int) {
	if pgid > 0 {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
