#!/bin/bash
# Stress of the locked edit (issue "Trust under adversity", item 1), with the
# real binary on a real crontab. Needs root only for nothing in particular;
# everything lives in a temp folder. Results: RELIABILITY.md.
#
#   bench/stress-edit.sh [ROUNDS] [KILLS]     (default 1000 and 600)
#
# 1. ROUNDS rounds of two `richsops jobs pause` of different jobs started
#    together, then both resumed together: a round is wrong when a command
#    said ok but its edit is not in the file (a lost pause or resume).
# 2. KILLS SIGKILLs of `richsops jobs pause|resume` at a random moment of
#    its run: wrong when the crontab is then anything but the paused or the
#    resumed file (empty, partial), or when a temp file is left after the
#    next edit.
set -u
cd "$(dirname "$0")/.."
rounds=${1:-1000}
kills=${2:-600}
make -s build >/dev/null || exit 1
bin=$PWD/bin/richsops
work=$(mktemp -d /tmp/richsops-stress-edit.XXXXXX)
trap 'rm -rf "$work"' EXIT
tab=$work/crontab
cat >"$work/config.toml" <<EOF
lang = "en"
audit_log = "$work/audit.jsonl"
state_dir = "$work/state"
lock_dir = "$work/locks"
[app]
dir = "$work"
log_dir = "$work"
[crontab]
path = "$tab"
reload = ["true"]
[[jobs]]
name = "stress_a"
[[jobs]]
name = "stress_b"
EOF
orig="SHELL=/bin/sh
0 3 * * * root cd $work && python manage.py stress_a 2 4
0 4 * * * root cd $work && python manage.py stress_b 2 4"
printf '%s\n' "$orig" >"$tab"
cp "$tab" "$work/orig"
rs() { "$bin" --config "$work/config.toml" --yes "$@" >/dev/null 2>&1; }

# 1. Concurrent pauses and resumes of different jobs.
lost=0 refused=0
for ((i = 1; i <= rounds; i++)); do
	for verb in pause resume; do
		rs jobs "$verb" stress_a & a=$!
		rs jobs "$verb" stress_b & b=$!
		wait $a; ra=$?
		wait $b; rb=$?
		[ $ra = 0 ] || refused=$((refused + 1))
		[ $rb = 0 ] || refused=$((refused + 1))
		if [ $verb = pause ]; then
			n=$(grep -c '^#richsops-paused# ' "$tab")
			want=$(((ra == 0) + (rb == 0)))
			if [ "$n" != "$want" ]; then lost=$((lost + 1)); fi
		elif ! cmp -s "$tab" "$work/orig"; then
			lost=$((lost + 1))
			cp "$work/orig" "$tab" # start the next round clean
		fi
	done
done
echo "concurrent pauses: $rounds rounds (2 pauses + 2 resumes each), $lost lost, $refused refused"

# 2. SIGKILL during writes.
paused=$work/paused
sed 's/^0 3 /#richsops-paused# 0 3 /' "$work/orig" >"$paused"
cp "$work/orig" "$tab"
bad=0 midwrite=0
for ((i = 1; i <= kills; i++)); do
	if cmp -s "$tab" "$paused"; then verb=resume; else verb=pause; fi
	"$bin" --config "$work/config.toml" --yes jobs "$verb" stress_a >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf %03d $((RANDOM % 25)))"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -n "$(find "$work" -maxdepth 1 -name '.crontab.richsops-tmp-*')" ]; then midwrite=$((midwrite + 1)); fi
	if ! cmp -s "$tab" "$work/orig" && ! cmp -s "$tab" "$paused"; then
		bad=$((bad + 1))
		echo "kill $i: crontab is neither version ($(wc -c <"$tab") bytes)" >&2
		cp "$work/orig" "$tab"
	fi
done
if cmp -s "$tab" "$paused"; then rs jobs resume stress_a; else rs jobs pause stress_a; fi
left=$(find "$work" -maxdepth 1 -name '.crontab.richsops-tmp-*' | wc -l)
[ "$left" = 0 ] || bad=$((bad + 1))
echo "SIGKILL during writes: $kills kills ($midwrite of them left a temp file: killed mid-write), $bad wrong; temp files after the next edit: $left"
[ $lost = 0 ] && [ $bad = 0 ]
