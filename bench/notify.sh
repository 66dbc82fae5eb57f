#!/bin/sh
# Issue 19, item 7: a notification is sent within 5 s of the transition
# being recorded. Each iteration of the Go benchmark is one attention pass
# whose item appears or clears: the event written to a real SQLite file,
# then the message, timed until a real HTTP receiver on loopback has the
# POST; once alone, once beside a [[notify]] target that never answers.
# Usage: bench/notify.sh [transitions per run (500)] [runs (5)]
set -eu
cd "$(dirname "$0")/.."
n=${1:-500}
runs=${2:-5}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./cli/watchcmd/ -run '^$' -bench 'NotifyLatency' -benchtime "${n}x" -count "$runs" | grep '^Benchmark'
