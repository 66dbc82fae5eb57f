#!/usr/bin/env bash
# Stress of `richsops tail -n N` against GNU tail (issue "Trust under
# adversity", item 11): random files of short lines with, now and then, a
# line of up to 3 MB (over the 64 KiB cap), a last line with or without
# newline, and a random N. Each try compares richsops' output byte for byte
# with GNU tail's, cut lines cut as richsops promises: their first 65536
# bytes and " …[cut]". A try is wrong when they differ.
# Usage: bench/stress-tail.sh [TRIES]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
TRIES=${1:-1000}
DIR=$(mktemp -d /tmp/richsops-stress-tail.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
make -s build VERSION=stress
RS="bin/richsops --config $DIR/empty.toml"
echo "audit_log = \"$DIR/audit.jsonl\"" >"$DIR/empty.toml"
CAP=65536

wrong=0
for ((i = 1; i <= TRIES; i++)); do
	f=$DIR/f.log
	# A file of 1..300 lines; 1 in 30 is 64 KiB to 2 MB long.
	LC_ALL=C awk -v seed="$i" 'BEGIN {
		srand(seed); n = 1 + int(rand() * 300); big = "y"
		while (length(big) < 2097152) big = big big
		for (l = 1; l <= n; l++) {
			s = sprintf("2026-12-01 03:%02d:%02d line %d ", l % 60, (l * 7) % 60, l)
			if (rand() < 0.033) s = s substr(big, 1, 65536 + int(rand() * 2031616))
			else s = s substr(big, 1, int(rand() * 200))
			printf "%s%s", s, (l < n || rand() < 0.5) ? "\n" : ""
		}
		srand(seed + 1); print 1 + int(rand() * (n + 20)) > "/dev/stderr"
	}' >"$f" 2>"$DIR/n"
	n=$(cat "$DIR/n")
	tail -n "$n" "$f" | LC_ALL=C awk -v cap=$CAP '{ if (length($0) > cap) printf "%s …[cut]\n", substr($0, 1, cap); else print }' >"$DIR/want"
	if [[ $(tail -c 1 "$f" | od -An -tx1) != " 0a" ]]; then
		truncate -s -1 "$DIR/want" # no newline after a last line without one, as GNU tail
	fi
	$RS tail -n "$n" "$f" >"$DIR/got"
	if ! cmp -s "$DIR/want" "$DIR/got"; then
		wrong=$((wrong + 1))
		echo "try $i (n=$n): differs" >&2
		cp "$f" "$DIR/../richsops-stress-tail-wrong-$i.log" 2>/dev/null || true
	fi
done
echo "tail -n N vs GNU tail, lines up to 2 MB: $TRIES tries, $wrong wrong"
[[ $wrong -eq 0 ]]
