package amazon

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/richs/richsops/internal/testenv/sshtest"
	"github.com/richs/richsops/ops/config"
	"github.com/richs/richsops/ops/host"
)

// A source pattern on another host is expanded on that host: every
// rotated log it matches there is scanned (it was handed to tail as it was,
// and failed).
func TestCheckExpandsAPatternOnItsHost(t *testing.T) {
	srv := sshtest.StartT(t)
	h, err := host.NewSSH(srv.Entry("web2"), host.SSHConfig{ControlDir: sshtest.ControlDir(t), ControlPersist: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	dir := t.TempDir()
	block := "2026-11-27 01:00:00,000 DEBUG urllib3.connectionpool https://www.amazon.co.jp:443 \"GET /dp/B0 HTTP/1.1\" 503 1\n"
	for _, n := range []string{"django.log", "django.log.1"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := config.Default()
	c.Logs = []config.Log{{Name: "django", Path: filepath.Join(dir, "django.log*"), Host: "web2"}}
	c.Amazon.Logs = []string{"django"}
	reg := host.NewRegistry(c)
	reg.Set("web2", h)
	st, err := Check(context.Background(), reg, c, at(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) != 0 || len(st.Scanned) != 2 || st.Total != 2 {
		t.Fatalf("status = %+v", st)
	}
}
