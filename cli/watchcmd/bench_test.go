package watchcmd

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
)

// BenchmarkRuns10k is `jobs runs --json` over 10,000 runs in process
// (bench/history.sh times the binary), for profiling the listing.
func BenchmarkRuns10k(b *testing.B) {
	path := b.TempDir() + "/h.db"
	s, _ := history.OpenWriter(context.Background(), path, history.Options{})
	var rs []history.Run
	st := time.Now().Add(-2500 * time.Hour)
	for i := 0; i < 10000; i++ {
		code := 0
		t := st.Add(time.Duration(i) * 15 * time.Minute)
		rs = append(rs, history.Run{Job: config.DefaultJobs()[i%4].Name, Host: "local", Start: t, End: t.Add(10 * time.Minute), ExitCode: &code,
			Argv: []string{"python", "manage.py", "x", "2", "4"}, Counts: map[string]int{"errors": i % 3, "amazon_503": 1}})
	}
	s.AddRuns(context.Background(), rs)
	s.Close()
	cfg := config.Default()
	cfg.History.Path = path
	env := cli.NewEnv(cli.Globals{JSON: true}, cfg)
	env.Stdout = io.Discard
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := runRuns(env, []string{"--since", "3650d"}); err != nil {
			b.Fatal(err)
		}
	}
}
