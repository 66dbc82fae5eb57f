#!/bin/sh
# Issue 19, item 7: a notification is sent within 5 s of the transition
# being recorded. Each iteration of the Go benchmark is one attention pass
# whose item appears or clears: the event written to a real SQLite file,
# then the message, timed until a real HTTP receiver on loopback has the
# POST; once alone, once beside a [[notify]] target that never answers.
# Usage: bench/notify.sh [transitions per run (500)] [runs (5)]
#
# bench/notify.sh cpu [seconds (120)]: the CPU (its children included: pm2,
# systemctl, the probes) of `richsops watch --no-guard` with the checks
# every 30 s against checks only at the start, and so the cost of a pass
# and of the default watch.checks_interval.
set -eu
cd "$(dirname "$0")/.."
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${1:-}" != cpu ]; then
	go test ./cli/watchcmd/ -run '^$' -bench 'NotifyLatency' -benchtime "${1:-500}x" -count "${2:-5}" | grep '^Benchmark'
	exit
fi
secs=${2:-120}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/richsops" .
tck=$(getconf CLK_TCK)
run() { # checks_interval -> CPU ticks over $secs, after a 5 s start
	cat >"$dir/cfg.toml" <<EOT
readonly = true
lock_dir = "$dir/locks"
state_dir = "$dir/state"
audit_log = "$dir/audit.jsonl"
[watch]
checks_interval = "$1"
[history]
path = "$dir/h-$1.db"
[guard]
state_file = "$dir/guard.json"
EOT
	"$dir/richsops" --config "$dir/cfg.toml" watch --no-guard >/dev/null 2>&1 &
	pid=$!
	sleep 5
	t0=$(awk '{print $14+$15+$16+$17}' /proc/$pid/stat)
	sleep "$secs"
	t1=$(awk '{print $14+$15+$16+$17}' /proc/$pid/stat)
	kill -TERM $pid
	wait $pid || true
	echo $((t1 - t0))
}
every=$(run 30s)
once=$(run 24h)
passes=$((secs / 30))
echo "checks every 30s: $every ticks in ${secs}s = $(echo "scale=3; $every*100/$tck/$secs" | bc) % of a core"
echo "samples only:     $once ticks in ${secs}s = $(echo "scale=3; $once*100/$tck/$secs" | bc) % of a core"
echo "one pass: $(echo "scale=3; ($every-$once)/$tck/$passes" | bc) s of CPU; at checks_interval 5m: $(echo "scale=3; ($once/$secs + ($every-$once)/$passes/300)*100/$tck" | bc) % of a core"
