package svctest

import (
	"os"
	"path/filepath"
	"testing"
)

// nginxScript answers -t as nginx does, the verdict on stderr; the flag
// file "fail" makes the test fail with a broken directive (holding an
// escape sequence, for the sanitizer). Every call is counted in "calls".
const nginxScript = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/../calls"
[ "$1" = -t ] || { echo "stand-in: want nginx -t" >&2; exit 64; }
if [ -e "$(dirname "$0")/../fail" ]; then
  printf 'nginx: [emerg] unknown directive "sever\033[2J" in /etc/nginx/conf.d/richs.conf:12\n' >&2
  echo 'nginx: configuration file /etc/nginx/nginx.conf test failed' >&2
  exit 1
fi
echo 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok' >&2
echo 'nginx: configuration file /etc/nginx/nginx.conf test is successful' >&2
`

// Nginx is a stand-in for `nginx -t`. Path is the script, named nginx,
// alone in Dir (so Dir can go first on PATH).
type Nginx struct {
	Path, Dir string
	root      string
	t         testing.TB
}

// NewNginx writes the stand-in into a temp folder; its test passes until Fail.
func NewNginx(t testing.TB) *Nginx {
	t.Helper()
	root := t.TempDir()
	n := &Nginx{Dir: filepath.Join(root, "bin"), root: root, t: t}
	n.Path = filepath.Join(n.Dir, "nginx")
	if err := os.MkdirAll(n.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(n.Path, []byte(nginxScript), 0o755); err != nil {
		t.Fatal(err)
	}
	return n
}

// Fail makes the config test fail (true) or pass (false).
func (n *Nginx) Fail(fail bool) {
	n.t.Helper()
	p := filepath.Join(n.root, "fail")
	if !fail {
		_ = os.Remove(p)
		return
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		n.t.Fatal(err)
	}
}

// Calls is how many times the stand-in ran.
func (n *Nginx) Calls() int {
	data, _ := os.ReadFile(filepath.Join(n.root, "calls"))
	c := 0
	for _, b := range data {
		if b == '\n' {
			c++
		}
	}
	return c
}
