package health_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/health"
)

// BenchmarkRedisPing is one health PING (connect, PING, PONG, close)
// against a real redis-server; bench/svc.sh sets it beside redis-cli.
func BenchmarkRedisPing(b *testing.B) {
	r := svctest.NewRedis(b)
	svctest.Run(b, r.Start...)
	ctx := context.Background()
	svctest.Eventually(b, 20*time.Second, "redis up", func() bool { return health.RedisPing(ctx, r.Addr, time.Second).OK })
	b.ResetTimer()
	for b.Loop() {
		if p := health.RedisPing(ctx, r.Addr, 5*time.Second); !p.OK {
			b.Fatal(p.Err)
		}
	}
}

// BenchmarkProbeHTTP is one HTTP probe on a fresh connection.
func BenchmarkProbeHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	ctx := context.Background()
	for b.Loop() {
		if p := health.ProbeHTTP(ctx, srv.URL, 5*time.Second, 0); !p.OK {
			b.Fatal(p.Err)
		}
	}
}
