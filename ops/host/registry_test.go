package host

import (
	"strings"
	"testing"

	"github.com/richs/richsops/ops/config"
)

// Each host says how a command run there names richsops, and how it
// follows its files.
func TestSelfCommandAndTailCommand(t *testing.T) {
	remote, err := NewSSH(config.HostEntry{Name: "db1", SSH: "root@db1.example"}, SSHConfig{ControlDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	if got := SelfCommand(NewLocal(), "/usr/local/bin/richsops"); got != "/usr/local/bin/richsops" {
		t.Errorf("here: %q", got)
	}
	if got := SelfCommand(remote, "/usr/local/bin/richsops"); got != "richsops" {
		t.Errorf("over ssh: %q", got)
	}
	if got := NewLocal().TailCommand("/var/log/a.log", 5, true); got != nil {
		t.Errorf("here: %q, want the follower by descriptor", got)
	}
	want := "tail -n 5 -F -- /var/log/a.log"
	if got := remote.TailCommand("/var/log/a.log", 5, true); strings.Join(got, " ") != want {
		t.Errorf("over ssh: %q, want %q", got, want)
	}
}
