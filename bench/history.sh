#!/bin/sh
# History figures (issue 18, section 4): `richsops jobs runs --json` over
# 10,000 runs, the database after a simulated year at the defaults, and the
# watch service's CPU and resident memory at the default interval.
# Usage: bench/history.sh [runs|year|watch|all] [watch seconds, default 150]
# watch runs beside a healthy index-linux (a Node app under a pm2 of its
# own, Redis on 127.0.0.1:6379), as on the box most of the time;
# INDEX_LINUX=absent measures the box with index-linux gone (the guard then
# asks pm2 at every probe).
# Results: bench/history.md. Runs as root on a fresh machine; builds what
# it needs (and hyperfine: apt-get install -y hyperfine); everything lives
# in a temporary folder.
set -eu
cd "$(dirname "$0")/.."
what=${1:-all}
secs=${2:-150}
tmp=$(mktemp -d /tmp/richsops-history-bench.XXXXXX)
pm2up=
trap 'kill $wpid 2>/dev/null || true; [ -z "$pm2up" ] || PM2_HOME="$tmp/pm2" pm2 kill >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
wpid=
CGO_ENABLED=0 go build -o "$tmp/richsops" .
go build -o "$tmp/historybench" ./bench/historybench
mkdir -p "$tmp/app/logs" "$tmp/locks"
: > "$tmp/crontab"
cat > "$tmp/config.toml" <<CFG
audit_log = "$tmp/audit.jsonl"
lock_dir = "$tmp/locks"
[app]
dir = "$tmp/app"
[crontab]
path = "$tmp/crontab"
reload = ["true"]
[guard]
state_file = "$tmp/guard.json"
[history]
path = "$tmp/history.db"
[public]
dir = "$tmp/app"
CFG

if [ "$what" = runs ] || [ "$what" = all ]; then
	"$tmp/historybench" -db "$tmp/history.db" -runs 10000
	"$tmp/richsops" --config "$tmp/config.toml" jobs runs --since 3650d --json > "$tmp/runs.json"
	n=$(grep -c '"job"' "$tmp/runs.json")
	# hyperfine: the whole command, process start to exit, timed to the
	# microsecond (/usr/bin/time's 10 ms steps were a fifth of the goal).
	# BASE=/path/to/another/richsops times that one too, back to back, on
	# the same database (a build of main, to compare).
	set -- "$tmp/richsops"
	[ -n "${BASE:-}" ] && set -- "$@" "$BASE"
	cmds=
	for b in "$@"; do cmds="$cmds '$b --config $tmp/config.toml jobs runs --since 3650d --json'"; done
	eval hyperfine -N -w 5 -r "${RUNS:-51}" --export-json "$tmp/h.json" "$cmds" > /dev/null
	python3 - "$tmp/h.json" "$n" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%s jobs runs --json over %s runs: median wall %.1f ms (min %.1f), mean CPU user %.1f + sys %.1f ms over %d runs (load %s)" % (
        r["command"].split()[0], sys.argv[2], r["median"] * 1000, r["min"] * 1000, r["user"] * 1000, r["system"] * 1000, len(r["times"]), sys.argv[3]))
PY
	rm -f "$tmp/history.db"*
fi

if [ "$what" = year ] || [ "$what" = all ]; then
	mb=$("$tmp/historybench" -db "$tmp/year.db" -year)
	echo "database after a simulated year at the defaults: $mb MB"
fi

if [ "$what" = watch ] || [ "$what" = all ]; then
	if [ "${INDEX_LINUX:-healthy}" = healthy ]; then
		port=$((20000 + $$ % 20000))
		mkdir -p "$tmp/il"
		echo "require('http').createServer((q, s) => s.end('ok')).listen($port, '127.0.0.1')" > "$tmp/il/index.js"
		export PM2_HOME="$tmp/pm2"
		pm2up=1
		SERVER=srv1 DEBUG='ibiz:*' NODE_ENV=production pm2 start "$tmp/il/index.js" --name index-linux >/dev/null
		for _ in $(seq 50); do
			curl -fs "http://127.0.0.1:$port/health" >/dev/null && break
			sleep 0.2
		done
		cat >> "$tmp/config.toml" <<CFG
[index_linux]
health_url = "http://127.0.0.1:$port/health"
redis = "127.0.0.1:6379"
CFG
	fi
	"$tmp/richsops" --config "$tmp/config.toml" watch > "$tmp/watch.out" 2>&1 &
	wpid=$!
	sleep 5 # past the first tick and the guard's first probe
	# utime+stime of the service and of the commands it ran and waited for
	# (systemctl, pm2, ps of the checks): the whole cost of the service.
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14+$15+$16+$17}' "/proc/$wpid/stat")
	sleep "$secs"
	t1=$(awk '{print $14+$15+$16+$17}' "/proc/$wpid/stat")
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$wpid/status")
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status")
	kill "$wpid"; wait "$wpid" 2>/dev/null || true; wpid=
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" -v r="$rss" -v h="$hwm" 'BEGIN {
		printf "watch at the default interval over %d s: %.3f %% of a core, RSS %.1f MB (peak %.1f MB)\n", s, (b-a)/hz/s*100, r/1024, h/1024 }'
	# what the guard saw: index-linux healthy (or absent with INDEX_LINUX=absent)
	grep -i "index-linux" "$tmp/watch.out" | tail -n 1 | cut -c1-160
fi
