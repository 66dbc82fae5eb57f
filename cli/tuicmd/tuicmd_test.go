package tuicmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/richs/richsops/cli"
)

// The console refuses to start on a --host it does not know, instead of
// showing the error in every tab.
func TestTUIRefusesAnUnknownHost(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(cfg, []byte("lang = \"en\"\n"), 0o644)
	var out, errb bytes.Buffer
	code := cli.Main([]string{"--config", cfg, "--host", "nosuch", "tui"}, strings.NewReader(""), &out, &errb)
	errs := errb.String()
	if code != 2 || !strings.Contains(errs, `unknown host "nosuch"`) {
		t.Fatalf("code %d stderr %q", code, errs)
	}
}
