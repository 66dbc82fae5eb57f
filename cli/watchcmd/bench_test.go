package watchcmd

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/ops/attention"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/history"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/notify"
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

// BenchmarkNotifyLatency is issue 19's "a notification is sent within 5 s
// of the transition being recorded": each iteration is one attention pass
// whose item appears or clears (the event written to a real SQLite file,
// then the message), timed until a real HTTP receiver on loopback has the
// POST. Reports the median and the worst (bench/notify.sh), alone and
// beside a target that accepts and never answers.
func BenchmarkNotifyLatency(b *testing.B) {
	b.Run("alone", func(b *testing.B) { notifyLatency(b, "") })
	hang := freeport.Silent(b)
	b.Run("beside-hanging", func(b *testing.B) {
		notifyLatency(b, "[[notify]]\nname = \"hangs\"\nkind = \"webhook\"\nmin_level = \"warn\"\ntimeout = \"1s\"\nurl = \"http://"+hang.String()+"/\"\n")
	})
}

func notifyLatency(b *testing.B, extra string) {
	got := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got <- time.Now()
	}))
	defer srv.Close()
	cfg, err := config.Parse("bench.toml", []byte(`[[notify]]
kind = "webhook"
url = "`+srv.URL+`"
min_level = "warn"
`+extra))
	if err != nil {
		b.Fatal(err)
	}
	cfg.History.Path = b.TempDir() + "/h.db"
	env := cli.NewEnv(cli.Globals{}, cfg)
	env.Stderr = io.Discard
	svc := &service{env: env, host: host.NewLocal()}
	if svc.open(context.Background()) == nil {
		b.Fatal(svc.lastErr)
	}
	defer svc.store.Close()
	sink := newSink(context.Background(), env, svc)
	defer func() {
		// Not the service's flush: the hanging target's queue is given up.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		sink.(*notify.Dispatcher).Close(ctx)
	}()
	x := &interlockEnv{Env: env, Host: host.NewLocal(), Sink: sink, svc: svc}
	set := fakeChecks(b)
	st := attentionState{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set()
		if i%2 == 0 {
			set(attention.Item{Severity: attention.Crit, Text: "disk / 97% full"})
		}
		start := time.Now()
		attentionPass(context.Background(), x, st)
		select {
		case at := <-got:
			lat = append(lat, at.Sub(start))
		case <-time.After(5 * time.Second):
			b.Fatalf("transition %d: no POST within 5s", i)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ms-max")
}
