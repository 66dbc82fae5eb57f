package health_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/freeport"
	"github.com/richs/richsops/internal/testenv/svctest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/health"
	"github.com/richs/richsops/ops/host"
	"github.com/richs/richsops/ops/services"
)

func TestProbeHTTP(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer failing.Close()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	selfSigned.StartTLS()
	defer selfSigned.Close()
	refusedPort := freeport.For(t)

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		expect  int
		ok      bool
		status  int
		problem string
	}{
		{"answers 200", ok.URL + "/health", 5 * time.Second, 0, true, 200, ""},
		{"a redirect is an answer", ok.URL + "/moved", 5 * time.Second, 0, true, 302, ""},
		{"expect 204 gets 200", ok.URL, 5 * time.Second, 204, false, 200, "status"},
		{"answers 500", failing.URL, 5 * time.Second, 0, false, 500, "status"},
		{"expect 500 gets 500", failing.URL, 5 * time.Second, 500, true, 500, ""},
		{"slow", slow.URL, 300 * time.Millisecond, 0, false, 0, "timeout"},
		{"refused", "http://127.0.0.1:" + strconv.Itoa(refusedPort) + "/", 5 * time.Second, 0, false, 0, "refused"},
		{"self-signed certificate", selfSigned.URL, 5 * time.Second, 0, false, 0, "tls"},
		{"TLS to a plain HTTP server", strings.Replace(ok.URL, "http://", "https://", 1), 5 * time.Second, 0, false, 0, "tls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := health.ProbeHTTP(context.Background(), tc.url, tc.timeout, tc.expect)
			if r.OK != tc.ok || r.Status != tc.status || r.Problem != tc.problem {
				t.Fatalf("got ok=%v status=%d problem=%q err=%q", r.OK, r.Status, r.Problem, r.Err)
			}
			if !r.OK && r.Err == "" {
				t.Error("a failed probe must say why")
			}
			if r.Latency <= 0 {
				t.Error("no latency measured")
			}
		})
	}
}

func TestProbeBadTLSServer(t *testing.T) {
	// A server that accepts TCP and answers garbage to the TLS hello.
	addr := tcpServer(t, func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) })
	r := health.ProbeHTTP(context.Background(), "https://"+addr+"/", 5*time.Second, 0)
	if r.OK || r.Problem != "tls" {
		t.Fatalf("got %+v", r)
	}
}

func TestRedisPing(t *testing.T) {
	r := svctest.NewRedis(t)
	ctx := context.Background()
	if p := health.RedisPing(ctx, r.Addr, 2*time.Second); p.OK || !strings.Contains(p.Err, "refused") {
		t.Fatalf("before start: %+v", p)
	}
	svctest.Run(t, r.Start...)
	svctest.Eventually(t, 20*time.Second, "redis answers PING", func() bool {
		return health.RedisPing(ctx, r.Addr, 2*time.Second).OK
	})
	p := health.RedisPing(ctx, r.Addr, 2*time.Second)
	if !p.OK || p.Latency <= 0 || p.Err != "" {
		t.Fatalf("PING: %+v", p)
	}
	// A password: Redis answers -NOAUTH, which must come back in its words.
	svctest.Run(t, append(append([]string(nil), r.Status[:3]...), "config", "set", "requirepass", "s3cret")...)
	if p := health.RedisPing(ctx, r.Addr, 2*time.Second); p.OK || !strings.Contains(p.Err, "NOAUTH") {
		t.Fatalf("with a password: %+v", p)
	}
}

func TestRedisPingNotRedis(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	p := health.RedisPing(context.Background(), strings.TrimPrefix(srv.URL, "http://"), 2*time.Second)
	if p.OK || !strings.Contains(p.Err, "not a Redis answer") {
		t.Fatalf("got %+v", p)
	}
	// A server that accepts and never answers: the timeout ends it.
	release := make(chan struct{})
	defer close(release)
	addr := tcpServer(t, func(net.Conn) { <-release })
	p = health.RedisPing(context.Background(), addr, 300*time.Millisecond)
	if p.OK || !strings.Contains(p.Err, "no answer in time") {
		t.Fatalf("silent server: %+v", p)
	}
}

func TestParseRESPLine(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"+PONG\r\n", "PONG", false},
		{"+OK", "OK", false},
		{"-NOAUTH Authentication required.\r\n", "", true},
		{"", "", true},
		{"HTTP/1.1 400 Bad Request\r\n", "", true},
		{":1\r\n", "", true},
	}
	for _, tc := range tests {
		got, err := health.ParseRESPLine(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseRESPLine(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func FuzzParseRESPLine(f *testing.F) {
	for _, s := range []string{"+PONG\r\n", "-ERR x\r\n", "", "\xff\xfe", "$4\r\nPONG\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := health.ParseRESPLine(s)
		if err == nil && !strings.HasPrefix(s, "+") {
			t.Fatalf("accepted %q as %q", s, got)
		}
		if err != nil && !strings.HasPrefix(s, "-") && len(err.Error()) > 400 {
			t.Fatalf("error too long: %d bytes", len(err.Error()))
		}
	})
}

// TestIndexLinuxHealth runs the three checks against a real pm2 app, a
// real redis-server and the app's own health URL, breaking each in turn.
func TestIndexLinuxHealth(t *testing.T) {
	r := svctest.NewRedis(t)
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	port := freeport.For(t)
	cfg := config.Default()
	cfg.IndexLinux = config.IndexLinux{PM2App: "il-health", Path: dir, Script: "app.js",
		Env:       map[string]string{"SERVER": "srv1", "APP_PORT": strconv.Itoa(port)},
		HealthURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/health", Redis: r.Addr}
	cfg.Services = []config.Service{{Name: "index-linux", Kind: "pm2", App: "il-health", PM2: pm.Argv}}
	ctx := context.Background()
	h := host.NewLocal()
	spec := services.IndexLinuxSpec(cfg)

	if ok, why := health.IndexLinux(ctx, cfg, h); ok || !strings.Contains(why, "pm2 il-health is down") || !strings.Contains(why, "Redis") {
		t.Fatalf("nothing running: %v %s", ok, why)
	}
	svctest.Run(t, r.Start...)
	svctest.Run(t, services.PM2StartArgv(spec)...)
	var why string
	svctest.Eventually(t, 30*time.Second, "index-linux healthy", func() bool {
		var ok bool
		ok, why = health.IndexLinux(ctx, cfg, h)
		return ok
	})
	if !strings.Contains(why, "pm2 il-health online") || !strings.Contains(why, "health URL 200") || !strings.Contains(why, "Redis PONG") {
		t.Errorf("healthy reason = %q", why)
	}

	svctest.Run(t, r.Stop...)
	if ok, why := health.IndexLinux(ctx, cfg, h); ok || !strings.HasPrefix(why, "Redis "+r.Addr) {
		t.Errorf("Redis down: %v %s", ok, why)
	}
	svctest.Run(t, services.PM2StopArgv(spec)...)
	ok, why := health.IndexLinux(ctx, cfg, h)
	if ok || !strings.HasPrefix(why, "pm2 il-health is down: stopped; health URL") {
		t.Errorf("all down: %v %s", ok, why)
	}
}

// tcpServer serves each connection with handle, then closes it; it stops
// at the end of the test.
func tcpServer(t *testing.T, handle func(net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

// TestProberReusesPM2Online: the guard's prober asks the real pm2 once
// while the health URL and Redis answer, again after PM2Every, and at once
// when a check fails; each `pm2 jlist` is counted by a wrapper.
func TestProberReusesPM2Online(t *testing.T) {
	r := svctest.NewRedis(t)
	pm := svctest.NewPM2(t)
	dir := svctest.WriteEnvApp(t)
	port := freeport.For(t)
	count := filepath.Join(t.TempDir(), "jlist-count")
	counted := append([]string{"sh", "-c", `echo >> "$0"; exec "$@"`, count}, pm.Argv...)
	cfg := config.Default()
	cfg.IndexLinux = config.IndexLinux{PM2App: "il-prober", Path: dir, Script: "app.js",
		Env:       map[string]string{"APP_PORT": strconv.Itoa(port)},
		HealthURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/health", Redis: r.Addr}
	cfg.Services = []config.Service{{Name: "index-linux", Kind: "pm2", App: "il-prober", PM2: pm.Argv}}
	ctx := context.Background()
	svctest.Run(t, r.Start...)
	svctest.Run(t, services.PM2StartArgv(services.IndexLinuxSpec(cfg))...)
	svctest.Eventually(t, 30*time.Second, "index-linux healthy", func() bool {
		ok, _ := health.IndexLinux(ctx, cfg, host.NewLocal())
		return ok
	})
	cfg.Services[0].PM2 = counted
	now := time.Now()
	p := &health.Prober{Cfg: cfg, Hosts: host.NewRegistry(cfg), PM2Every: 5 * time.Minute, Now: func() time.Time { return now }}
	jlists := func() int {
		b, _ := os.ReadFile(count)
		return strings.Count(string(b), "\n")
	}
	for _, step := range []struct {
		name    string
		advance time.Duration
		before  func()
		healthy bool
		jlists  int
	}{
		{"first probe asks pm2", 0, nil, true, 1},
		{"a minute later: pm2's online reused", time.Minute, nil, true, 1},
		{"again", time.Minute, nil, true, 1},
		{"past PM2Every: asked again", 4 * time.Minute, nil, true, 2},
		{"Redis down: asked at once", time.Minute, func() { svctest.Run(t, r.Stop...) }, false, 3},
		{"still down: asked again", time.Minute, nil, false, 4},
	} {
		now = now.Add(step.advance)
		if step.before != nil {
			step.before()
		}
		ok, why := p.Probe(ctx)
		if ok != step.healthy || jlists() != step.jlists || !strings.Contains(why, "pm2 il-prober online") {
			t.Fatalf("%s: healthy %v (want %v), %d jlist (want %d): %s", step.name, ok, step.healthy, jlists(), step.jlists, why)
		}
	}
}
