#!/usr/bin/env bash
# bench/ssh.sh: a Jobs refresh on a remote host (one `ps -eo
# pid,user,lstart,etimes,pcpu,rss,args` plus one read of /etc/crontab) through
# richsops' SSH host, with ControlMaster against without, beside the local
# host and the plain ssh client doing the same two commands.
#
# The "remote" host is a private sshd on a loopback port that the Go
# benchmark starts itself (internal/testenv/sshtest), so this measures the cost of
# ssh (process start, key exchange, session) without network latency.
#
# Usage: bench/ssh.sh [N]   (N refreshes per variant, default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
command -v ssh >/dev/null && { command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]; } || {
  echo "needs openssh-server and openssh-client (apt-get install -y openssh-server openssh-client)" >&2
  exit 2
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
out=$(go test -run '^$' -bench '^BenchmarkSSHJobsRefresh$' -benchtime "${n}x" -count 1 ./ops/host/ 2>&1) || {
  echo "$out" >&2
  exit 1
}
echo "$out" | grep -E '^(goos|goarch|cpu)'
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "$out" | awk -v n="$n" '
  /^BenchmarkSSHJobsRefresh/ {
    for (i = 2; i < NF; i++) if ($(i+1) ~ /^ms\/refresh-/) {
      name = $(i+1); sub(/^ms\/refresh-/, "", name)
      med[name] = $i; order[++k] = name
    }
  }
  END {
    printf "%-26s %14s\n", "variant (N=" n ")", "median/refresh"
    for (i = 1; i <= k; i++) printf "%-26s %12.1fms\n", order[i], med[order[i]]
    if (med["controlmaster"] > 0)
      printf "\nwithout / with ControlMaster: %.1fx\n", med["no-controlmaster"] / med["controlmaster"]
    if (med["plain-ssh-controlmaster"] > 0)
      printf "richsops / plain ssh, both with ControlMaster: %.2fx\n", med["controlmaster"] / med["plain-ssh-controlmaster"]
  }'
