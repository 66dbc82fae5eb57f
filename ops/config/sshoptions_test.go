package config

import (
	"strings"
	"testing"
)

func TestCheckSSHOptions(t *testing.T) {
	good := [][]string{
		nil, {"-F", "/etc/richsops/ssh_config"}, {"-i", "/root/.ssh/id_db", "-p", "2222"}, {"-p2222"},
		{"-o", "User=root", "-oPort=22"}, {"-J", "jump.example"}, {"-4", "-C"}, {"-4Cp", "22"}, {"-l", "root"},
	}
	for _, o := range good {
		if err := CheckSSHOptions(o); err != nil {
			t.Errorf("%q: %v", o, err)
		}
	}
	bad := [][]string{
		{"-p"}, {"-N"}, {"-f"}, {"-A"}, {"-L", "1:a:2"}, {"-R", "x"}, {"-D", "1080"}, {"-t"}, {"-M"}, {"-O", "exit"},
		{"-E", "/tmp/log"}, {"--"}, {"host"}, {"-"}, {"-4N"}, {"-W", "a:1"}, {"-o"},
	}
	for _, o := range bad {
		if err := CheckSSHOptions(o); err == nil {
			t.Errorf("%q accepted", o)
		}
	}
}

func TestValidateReportsBadSSHOptions(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[[hosts]]\nname = \"db1\"\nssh = \"root@db1.example\"\noptions = [\"-N\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "hosts[0].options") || !strings.Contains(err.Error(), "-N") {
		t.Fatalf("got %v, %v", cfg, err)
	}
}
