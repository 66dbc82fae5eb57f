// Command historybench seeds history databases for bench/history.sh: a
// simulated year at the defaults (its size is the figure), or N runs of the
// four jobs for timing `richsops jobs runs --json`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/richs/richsops/ops/history"
)

func main() {
	db := flag.String("db", "", "database file to create")
	year := flag.Bool("year", false, "fill a simulated year at the defaults and print its size")
	runs := flag.Int("runs", 0, "add this many runs, ending now")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "historybench: -db is needed")
		os.Exit(2)
	}
	ctx := context.Background()
	s, err := history.OpenWriter(ctx, *db, history.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Close()
	if *year {
		mb, err := history.FillYear(ctx, s, time.Now().Add(-365*24*time.Hour))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%.1f\n", mb)
	}
	if *runs > 0 {
		jobs := []string{"check_item_yahoo", "check_item_mercari", "update_item_yahoo", "update_item_mercari"}
		start := time.Now().Add(-time.Duration(*runs) * time.Hour / 4)
		rs := make([]history.Run, 0, *runs)
		for i := 0; i < *runs; i++ {
			code := 0
			if i%97 == 0 {
				code = 1
			}
			st := start.Add(time.Duration(i) * time.Hour / 4)
			rs = append(rs, history.Run{Job: jobs[i%4], Host: "local", PID: 1000 + i, Start: st, End: st.Add(time.Duration(600+i%300) * time.Second),
				ExitCode: &code, Trigger: history.TriggerCron, User: "richs", Argv: []string{"python", "manage.py", jobs[i%4], "2", "4", "--max-workers", "14"},
				Counts: map[string]int{"errors": i % 3, "amazon_503": i % 5, "withdrawn": i % 40}, Source: history.SourceExec})
		}
		if _, err := s.AddRuns(ctx, rs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
