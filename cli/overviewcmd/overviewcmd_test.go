package overviewcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/richs/richsops/cli"
	"github.com/richs/richsops/ops/traffic"
)

// setup writes a config with a public folder holding one old tmp file and
// an access log of three requests.
func setup(t *testing.T) (cfg, oldFile, access string) {
	t.Helper()
	dir := t.TempDir()
	pub := filepath.Join(dir, "public")
	for _, f := range []string{"images", "output", "tmp"} {
		if err := os.MkdirAll(filepath.Join(pub, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	oldFile = filepath.Join(pub, "tmp", "upload.csv")
	if err := os.WriteFile(oldFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-10 * 24 * time.Hour)
	if err := os.Chtimes(oldFile, old, old); err != nil {
		t.Fatal(err)
	}
	access = filepath.Join(dir, "access.log")
	log := `192.0.2.1 - - [27/Nov/2026:03:10:01 +0900] "GET / HTTP/1.1" 200 5 "-" "ua"
192.0.2.1 - - [27/Nov/2026:03:10:02 +0900] "GET /x HTTP/1.1" 404 5 "-" "ua"
192.0.2.2 - - [27/Nov/2026:03:10:03 +0900] "GET /y HTTP/1.1" 503 5 "-" "ua"
`
	if err := os.WriteFile(access, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg = filepath.Join(dir, "config.toml")
	text := fmt.Sprintf("audit_log = %q\n[public]\ndir = %q\n[[logs]]\nname = \"nginx-access\"\npath = %q\n",
		filepath.Join(dir, "audit.jsonl"), pub, access)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, oldFile, access
}

func run(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTrafficJSON(t *testing.T) {
	cfg, _, _ := setup(t)
	code, out, errs := run("", "--config", cfg, "traffic", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s traffic.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Requests != 3 || s.Classes.S5xx != 1 || s.Status["404"] != 1 {
		t.Fatalf("summary = %+v", s)
	}
	// The shares say over what they are (the attention list's 5xx figure
	// is over the last 15 minutes).
	for lang, want := range map[string]string{"en": "status (whole log): 2xx ", "ja": "ステータス (ログ全体): 2xx "} {
		if code, out, errs := run("", "--config", cfg, "--lang", lang, "traffic"); code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, want %q in\n%s%s", lang, code, want, out, errs)
		}
	}
	if code, _, _ := run("", "--config", cfg, "traffic", "--format", "$remote_addr"); code != 2 {
		t.Fatalf("a format without $status (a bad argument): exit %d", code)
	}
	if code, _, _ := run("", "--config", cfg, "traffic", "a", "b"); code != 2 {
		t.Fatalf("two files: exit %d", code)
	}
}

func TestPublicAndClean(t *testing.T) {
	cfg, oldFile, _ := setup(t)
	code, out, errs := run("", "--config", cfg, "public")
	if code != 0 || !strings.Contains(out, "tmp") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	// Read-only: refused, nothing removed.
	if code, _, _ := run("", "--config", cfg, "--readonly", "--yes", "public", "clean", "--older-than", "7"); code != 1 {
		t.Fatalf("read-only exit %d", code)
	}
	// Answering no removes nothing.
	if code, _, _ := run("n\n", "--config", cfg, "public", "clean", "--older-than", "7"); code != 1 {
		t.Fatalf("declined exit %d", code)
	}
	if _, err := os.Stat(oldFile); err != nil {
		t.Fatal("removed without confirmation")
	}
	// Younger than the age: nothing to do.
	if code, out, _ := run("", "--config", cfg, "public", "clean", "--older-than", "30d"); code != 0 || !strings.Contains(out, "nothing") {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, out, errs = run("y\n", "--config", cfg, "public", "clean", "--older-than", "7")
	if code != 0 || !strings.Contains(out, "removed 1 files") || !strings.Contains(errs, oldFile) {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if _, err := os.Stat(oldFile); !os.IsNotExist(err) {
		t.Fatal("not removed")
	}
	if code, _, _ := run("", "--config", cfg, "public", "clean", "--older-than", "soon"); code != 2 {
		t.Fatalf("bad age: exit %d", code)
	}
}
