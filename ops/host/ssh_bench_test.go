package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// refreshArgv is what the Jobs tab runs on each refresh to find the jobs'
// processes.
var refreshArgv = []string{"ps", "-eo", "pid,user,lstart,etimes,pcpu,rss,args"}

// benchCrontab is /etc/crontab, or a stand-in of the same shape when this
// machine has none.
func benchCrontab(b *testing.B) string {
	if _, err := os.Stat("/etc/crontab"); err == nil {
		return "/etc/crontab"
	}
	p := filepath.Join(b.TempDir(), "crontab")
	line := "30 5,17 * * * richs cd /var/www/richs && python manage.py check_item_mercari 2 4 --max-workers 14 >> /var/www/richs/logs/inventory-mercari.log 2>&1\n"
	data := "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\n"
	for i := 0; i < 4; i++ {
		data += line
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// variant is one way of doing the refresh.
type variant struct {
	name    string
	refresh func() error
}

// timeRefreshes runs every variant's refresh b.N times, taking turns (so a
// burst of load on this shared machine hits them all alike), and reports
// each one's median per refresh (the mean, ns/op, is skewed by the odd slow
// one).
func timeRefreshes(b *testing.B, variants []variant) {
	times := make([][]time.Duration, len(variants))
	for _, v := range variants { // warm: shared connections open before timing
		if err := v.refresh(); err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range variants {
			j := (i + k) % len(variants) // rotate who goes first
			start := time.Now()
			if err := variants[j].refresh(); err != nil {
				b.Fatalf("%s: %v", variants[j].name, err)
			}
			times[j] = append(times[j], time.Since(start))
		}
	}
	b.StopTimer()
	for j, v := range variants {
		ts := times[j]
		sort.Slice(ts, func(a, c int) bool { return ts[a] < ts[c] })
		b.ReportMetric(float64(ts[len(ts)/2].Microseconds())/1000, "ms/refresh-"+v.name)
	}
}

// BenchmarkSSHJobsRefresh is a Jobs refresh on a remote host (one ps, one
// read of the crontab) through the SSH host with and without ControlMaster,
// beside the same two commands on the local host and with plain ssh.
// bench/ssh.sh runs it with -benchtime=50x; ns/op is one round of all five.
func BenchmarkSSHJobsRefresh(b *testing.B) {
	if sshdErr != nil {
		b.Skip(sshdErr)
	}
	crontab := benchCrontab(b)
	ctx := context.Background()
	hostRefresh := func(h Host) func() error {
		return func() error {
			if _, err := h.Run(ctx, Cmd{Argv: refreshArgv}); err != nil {
				return err
			}
			_, err := h.ReadFile(ctx, crontab)
			return err
		}
	}
	// The reference: the same two commands with the plain ssh client.
	plain := func(extra ...string) func() error {
		base := append([]string{"-F", sshd.ClientConfig, "-p", strconv.Itoa(sshd.Port), "-o", "BatchMode=yes"}, extra...)
		return func() error {
			for _, remote := range [][]string{refreshArgv, {"cat", "--", crontab}} {
				args := append(append(append([]string{}, base...), sshd.User+"@127.0.0.1"), remote...)
				if out, err := exec.Command("ssh", args...).CombinedOutput(); err != nil {
					return fmt.Errorf("ssh: %v: %s", err, out)
				}
			}
			return nil
		}
	}
	d, err := os.MkdirTemp(sshd.Dir, "pcm") // short: a socket path has < 108 bytes
	if err != nil {
		b.Fatal(err)
	}
	cp := "ControlPath=" + filepath.Join(d, "%C")
	b.Cleanup(func() {
		exec.Command("ssh", "-F", sshd.ClientConfig, "-p", strconv.Itoa(sshd.Port), "-o", cp, "-O", "stop", sshd.User+"@127.0.0.1").Run()
	})
	timeRefreshes(b, []variant{
		{"controlmaster", hostRefresh(newTestSSH(b, SSHConfig{}))},
		{"no-controlmaster", hostRefresh(newTestSSH(b, SSHConfig{NoControlMaster: true}))},
		{"local", hostRefresh(NewLocal())},
		{"plain-ssh-controlmaster", plain("-o", "ControlMaster=auto", "-o", cp, "-o", "ControlPersist=20")},
		{"plain-ssh", plain()},
	})
}
