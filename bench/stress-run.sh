#!/bin/sh
# Concurrent run-now of one job (issue "Trust under adversity", item 8):
# TRIES times, CONC real `richsops jobs run NAME` processes at once without
# --force; a try is wrong unless exactly one said started and exactly one
# instance runs. Root: the job runs as nobody. Results: RELIABILITY.md.
#   bench/stress-run.sh [TRIES] [CONC]      (default 100 tries of 4)
set -eu
tries=${1:-100}
conc=${2:-4}
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "stress-run: run as root" >&2; exit 2; }
make -s build
bin=$PWD/bin/richsops

dir=$(mktemp -d /tmp/richsops-stress-run-XXXXXX)
chmod 0777 "$dir" # the log is created by root, then written by nobody
job=check_item_stress$$
trap 'stop; rm -rf "$dir"' EXIT
printf '#!/bin/sh\nsleep 300 &\nwait\n' >"$dir/manage.py"
chmod 0755 "$dir/manage.py"
cat >"$dir/config.toml" <<EOF
audit_log = "$dir/audit.jsonl"
lock_dir = "$dir/locks"
[app]
dir = "$dir"
log_dir = "$dir"
user = "nobody"
python = "/bin/sh"
[crontab]
path = "$dir/crontab"
reload = ["true"]
[[jobs]]
name = "$job"
log = "job.log"
EOF

# instances: the job's session leaders (the fake manage.py forks its sleep,
# which shows the same argv until it execs).
leaders() {
	ps -eo pid=,sid=,args= | awk -v j="manage.py $job" '$1 == $2 && index($0, j) { print $1 }'
}
instances() { leaders | wc -l; }
# stop kills each instance's session (the shell and its sleep).
stop() {
	for p in $(leaders); do kill -9 "-$p" 2>/dev/null || :; done
	w=0
	while [ "$(instances)" != 0 ]; do
		w=$((w + 1))
		[ "$w" -lt 200 ] || { echo "stress-run: instances survive SIGKILL" >&2; exit 1; }
		sleep 0.05
	done
}

wrong=0
i=0
while [ "$i" -lt "$tries" ]; do
	i=$((i + 1))
	rm -f "$dir"/ok.*
	k=0
	while [ "$k" -lt "$conc" ]; do
		k=$((k + 1))
		( "$bin" --config "$dir/config.toml" --yes jobs run "$job" >/dev/null 2>&1 && : >"$dir/ok.$k" ) &
	done
	wait
	started=$(ls "$dir" | grep -c '^ok\.' || :)
	sleep 0.2
	n=$(instances | tr -d ' ')
	if [ "$started" != 1 ] || [ "$n" != 1 ]; then
		wrong=$((wrong + 1))
		echo "try $i: $started said started, $n instance(s) running" >&2
	fi
	stop
done
echo "concurrent run-now ($conc at once): $tries tries, $wrong wrong"
[ "$wrong" = 0 ]
