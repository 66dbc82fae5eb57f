#!/usr/bin/env bash
# Benchmarks of the Logs tab (issue 4, item 9), side by side with GNU tail in
# one run, and the rotation loss figures of item 8.
# Usage: bench/logs.sh [a|b|c|d|r ...]   (default: all)
# Big files go under $BENCH_DIR (default /tmp/richsops-bench) and are deleted
# at the end. Needs: go, GNU coreutils, tmux, bash 5 (EPOCHREALTIME).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-/tmp/richsops-bench}
BIN=$DIR/richsops
RUNS=${RUNS:-31}
mkdir -p "$DIR/build"
trap 'tmux kill-session -t richsops-bench 2>/dev/null || true; rm -rf "$DIR"' EXIT
# The binaries as shipped (make build), copied into place as make install
# does. Copied, not timed where go build wrote them: the linker writes its
# output through mmap, and here a binary left in the page cache that way
# starts up to 0.35 ms slower than the same bytes copied or read back from
# disk (bench/logs.md, 4a).
make -s build VERSION=bench
install -m 0755 bin/richsops "$DIR/"
cat > "$DIR/empty.toml" <<TOML
audit_log = "$DIR/audit.jsonl"
TOML
RS="$BIN --config $DIR/empty.toml"

# median_ms CMD...: run CMD $RUNS times (output to /dev/null), print the
# median wall time in ms. Timed in-shell with EPOCHREALTIME: no extra fork.
median_ms() {
	"$@" >/dev/null # warm the page cache
	local i s e times=()
	for ((i = 0; i < RUNS; i++)); do
		s=$EPOCHREALTIME
		"$@" >/dev/null
		e=$EPOCHREALTIME
		times+=("$(echo "($e - $s) * 1000" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'
}

# make_log FILE MIB: a log of realistic lines, MIB mebibytes.
make_log() {
	local chunk=$DIR/chunk
	if [[ ! -f $chunk ]]; then
		# whole lines, about 1 MiB
		LC_ALL=C awk 'BEGIN { for (i = 0; n < 1048576; i++) { s = sprintf("2026-11-27 03:12:%02d,%03d INFO inventory.check 商品%06d 「テスト商品」 price=1980 stock=3 url=https://example.com/i/%d\n", i%60, i%1000, i, i); n += length(s); printf "%s", s } }' >"$chunk"
	fi
	for ((i = 0; i < $2; i++)); do cat "$chunk"; done >"$1"
}

# hello_world: the floor of any Go program here, built as richsops is.
hello_world() {
	mkdir -p "$DIR/hello"
	printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hi\\n") }\n' >"$DIR/hello/main.go"
	printf 'module hello\n\ngo 1.21\n' >"$DIR/hello/go.mod"
	(cd "$DIR/hello" && CGO_ENABLED=0 go build -o "$DIR/build/hello" . && install -m 0755 "$DIR/build/hello" "$DIR/hello/hello")
}

bench_a() {
	echo "## (a) last 1000 lines: richsops tail -n 1000 vs tail -n 1000 (median of $RUNS runs, ms)"
	make_log "$DIR/small.log" 1
	make_log "$DIR/big.log" 2048
	ls -l "$DIR/small.log" "$DIR/big.log" | awk '{print "#   " $5 " bytes " $9}'
	hello_world
	echo "# timed in bash (\$EPOCHREALTIME around each run: fork+exec+wait included)"
	for f in small big; do
		local g r
		g=$(median_ms tail -n 1000 "$DIR/$f.log")
		r=$(median_ms $RS tail -n 1000 "$DIR/$f.log")
		printf '%-6s tail %6s ms   richsops %6s ms   ratio %s\n' "$f" "$g" "$r" "$(echo "scale=2; $r / $g" | bc -l)"
	done
	printf 'floors: Go hello world %s ms, richsops version %s ms\n' \
		"$(median_ms "$DIR/hello/hello")" "$(median_ms $BIN version)"
	if command -v hyperfine >/dev/null; then
		echo "# hyperfine -N (no shell), medians"
		hyperfine -N -w 30 -r "$((RUNS * 5))" --export-json "$DIR/a.json" \
			"tail -n 1000 $DIR/small.log" "$RS tail -n 1000 $DIR/small.log" \
			"tail -n 1000 $DIR/big.log" "$RS tail -n 1000 $DIR/big.log" \
			"$DIR/hello/hello" "$BIN version" >/dev/null 2>&1
		python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%7.3f ms  %s" % (r["median"] * 1000, r["command"].replace(sys.argv[2], "$DIR")))' "$DIR/a.json" "$DIR"
	fi
	# Same output as GNU tail for plain text.
	cmp <(tail -n 1000 "$DIR/big.log") <($RS tail -n 1000 "$DIR/big.log") && echo "# output identical to GNU tail"
	rm -f "$DIR/big.log" "$DIR/small.log"
}

# follow_rate NAME CMD...: lines/s for CMD (following $DIR/follow.log from
# its end) to pass on 5M lines appended in one go.
follow_rate() {
	local name=$1
	shift
	local n=5000000 fifo=$DIR/fifo t0 t1 fpid hpid
	: >"$DIR/follow.log"
	rm -f "$fifo" && mkfifo "$fifo"
	"$@" "$DIR/follow.log" >"$fifo" 2>/dev/null &
	fpid=$!
	head -n $n <"$fifo" >/dev/null &
	hpid=$!
	sleep 1
	t0=$EPOCHREALTIME
	cat "$DIR/src.log" >>"$DIR/follow.log"
	wait $hpid
	t1=$EPOCHREALTIME
	kill $fpid 2>/dev/null || true
	wait $fpid 2>/dev/null || true
	printf '%-26s %8.2f s  %10.0f lines/s\n' "$name" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$n / ($t1 - $t0)" | bc -l)"
}

bench_b() {
	echo "## (b) follow 5,000,000 appended lines"
	awk 'BEGIN { for (i = 0; i < 5000000; i++) printf "2026-11-27 03:12:07,123 INFO inventory.check item %d ok\n", i }' >"$DIR/src.log"
	ls -l "$DIR/src.log" | awk '{print "#   " $5 " bytes"}'
	for round in 1 2 3 4 5; do
		follow_rate "tail -n 0 -F (round $round)" tail -n 0 -F
		follow_rate "richsops tail -n 0 -F" $RS tail -n 0 -F
	done
	rm -f "$DIR/src.log" "$DIR/follow.log"
	echo "# pane ingest (Go benchmark: queue -> ring -> filter, one render per 50 ms frame)"
	go test -run XXX -bench PaneIngest -benchtime 2s ./ui/logsview | grep lines/s
}

# tui_start CONFIG N: start the console in tmux, open the first N logs of
# the Logs tab, print its pid.
tui_start() {
	tmux kill-session -t richsops-bench 2>/dev/null || true
	tmux new-session -d -s richsops-bench -x 160 -y 48 "exec $BIN --config $1"
	sleep 2
	tmux send-keys -t richsops-bench 3
	sleep 0.5
	for ((i = 0; i < $2; i++)); do
		tmux send-keys -t richsops-bench Enter
		sleep 0.3
		tmux send-keys -t richsops-bench j
	done
	tmux send-keys -t richsops-bench o
	sleep 3
	tmux list-panes -t richsops-bench -F '#{pane_pid}'
}

logs_config() { # logs_config FILE N INITIAL
	{
		echo "audit_log = \"$DIR/audit.jsonl\""
		echo "[logview]"
		echo "initial_lines = $3"
		for ((i = 1; i <= $2; i++)); do
			printf '[[logs]]\nname = "log%d"\npath = "%s/log%d.log"\nkind = "django"\n' $i "$DIR" $i
		done
	} >"$1"
}

bench_c() {
	echo "## (c) CPU of the TUI, 4 panes following quiet logs (one line per log every 10 s), 60 s"
	logs_config "$DIR/c.toml" 4 2000
	for i in 1 2 3 4; do make_log "$DIR/log$i.log" 1; done
	local pid t0 t1 hz
	pid=$(tui_start "$DIR/c.toml" 4)
	tmux capture-pane -p -t richsops-bench | head -3 | sed 's/^/#   /'
	( for s in 1 2 3 4 5 6; do sleep 10; for i in 1 2 3 4; do echo "2026-11-27 INFO quiet line $s" >>"$DIR/log$i.log"; done; done ) &
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	sleep 60
	t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	wait
	printf 'cpu: %d ticks in 60 s = %.3f%% of a core\n' $((t1 - t0)) "$(echo "($t1 - $t0) * 100 / ($hz * 60)" | bc -l)"
	tmux kill-session -t richsops-bench
}

bench_d() {
	echo "## (d) resident memory, 6 panes full (10,000 lines each)"
	logs_config "$DIR/d.toml" 6 10000
	for i in 1 2 3 4 5 6; do make_log "$DIR/log$i.log" 3; done
	local pid
	pid=$(tui_start "$DIR/d.toml" 6)
	sleep 2
	tmux capture-pane -p -t richsops-bench | head -3 | sed 's/^/#   /'
	grep -E 'VmRSS|VmHWM' /proc/$pid/status
	tmux kill-session -t richsops-bench
}

bench_r() {
	echo "## (item 8) lost/doubled lines through rotation, richsops vs GNU tail -F on the same run (no -race)"
	RICHSOPS_ROTATION_FIGURES=1 go test -count=1 -run 'TestFollowRotationNoLoss|TestRotationBurstFigures' -v ./ops/logtail |
		grep -E 'lost' | sed 's/^ *follow_test.go:[0-9]*: //'
}

for b in "${@:-a b c d r}"; do
	for x in $b; do "bench_$x"; done
done
