#!/bin/sh
# Brake figure (issue 19, sections 2 and 7): from a run's withdrawal rate
# rising to its process gone and its cron lines paused, at the brake's
# default poll. Each iteration is a real process named like the job that
# writes stamped withdrawal lines into its log, 12 a minute (the seeded
# usual rate), then one every 20 ms; the brake's loop runs as in the watch
# service. Usage: bench/brake.sh [iterations, default 7]. Results:
# bench/brake.md.
set -eu
cd "$(dirname "$0")/.."
n=${1:-7}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench '^BenchmarkTimeToStop$' -benchtime "${n}x" ./ops/brake/
