#!/usr/bin/env bash
# Health-probe cost, side by side with the reference tools:
#   richsops' Redis PING (Go, one TCP exchange) vs `redis-cli ping` (a process each),
#   and richsops' HTTP probe (fresh connection each) on its own.
# Usage: bench/svc.sh   (needs redis-server, redis-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
echo "== Go benchmarks (median of 5) =="
go test -run XXX -bench 'RedisPing|ProbeHTTP' -count 5 ./ops/health/ | grep -E '^Benchmark'

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --pidfile "$dir/r.pid" --dir "$dir" --save '' --logfile "$dir/r.log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for i in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s%N)
for i in $(seq "$N"); do redis-cli -p "$port" ping >/dev/null; done
end=$(date +%s%N)
echo "== redis-cli ping: $(( (end - start) / N / 1000 )) us per PING (mean of $N, process start included) =="
