package host

import (
	"context"
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

// timeRefreshes runs refresh b.N times and reports the median per refresh
// (the mean, ns/op, is skewed by the odd slow one on a busy machine).
func timeRefreshes(b *testing.B, refresh func() error) {
	if err := refresh(); err != nil { // warm: the shared connection is open before timing
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := refresh(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/refresh-median")
}

// BenchmarkSSHJobsRefresh is a Jobs refresh on a remote host (one ps, one
// read of the crontab) through the SSH host with and without ControlMaster,
// beside the same two commands on the local host and with plain ssh.
// bench/ssh.sh runs it with -benchtime=50x.
func BenchmarkSSHJobsRefresh(b *testing.B) {
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
	b.Run("controlmaster", func(b *testing.B) {
		timeRefreshes(b, hostRefresh(newTestSSH(b, SSHConfig{})))
	})
	b.Run("no-controlmaster", func(b *testing.B) {
		timeRefreshes(b, hostRefresh(newTestSSH(b, SSHConfig{NoControlMaster: true})))
	})
	b.Run("local", func(b *testing.B) {
		timeRefreshes(b, hostRefresh(NewLocal()))
	})
	// The reference: the same two commands with the plain ssh client.
	plain := func(extra ...string) func() error {
		base := append([]string{"-F", sshd.ClientConfig, "-p", strconv.Itoa(sshd.Port), "-o", "BatchMode=yes"}, extra...)
		return func() error {
			for _, remote := range [][]string{refreshArgv, {"cat", "--", crontab}} {
				args := append(append(append([]string{}, base...), sshd.User+"@127.0.0.1"), remote...)
				if out, err := exec.Command("ssh", args...).CombinedOutput(); err != nil {
					b.Fatalf("ssh: %v: %s", err, out)
				}
			}
			return nil
		}
	}
	b.Run("plain-ssh-controlmaster", func(b *testing.B) {
		if sshdErr != nil {
			b.Skip(sshdErr)
		}
		d, err := os.MkdirTemp(sshd.Dir, "pcm") // short: a socket path has < 108 bytes
		if err != nil {
			b.Fatal(err)
		}
		cp := filepath.Join(d, "%C")
		refresh := plain("-o", "ControlMaster=auto", "-o", "ControlPath="+cp, "-o", "ControlPersist=20")
		timeRefreshes(b, refresh)
		exec.Command("ssh", "-F", sshd.ClientConfig, "-p", strconv.Itoa(sshd.Port), "-o", "ControlPath="+cp, "-O", "stop", sshd.User+"@127.0.0.1").Run()
	})
	b.Run("plain-ssh", func(b *testing.B) {
		if sshdErr != nil {
			b.Skip(sshdErr)
		}
		timeRefreshes(b, plain())
	})
}
