#!/bin/sh
# One refresh of the Jobs tab's process list among 3,000 live processes,
# against pgrep -f over the same processes. Results: bench/jobs.md.
set -eu
cd "$(dirname "$0")/.."
go build -o /tmp/richsops-jobsbench ./bench/jobsbench
exec /tmp/richsops-jobsbench -n "${1:-3000}" -runs "${2:-21}"
