#!/usr/bin/env bash
# Backup benchmark (issue 5 item 8): the same ≥2 GB dump, side by side:
#   1. mariadb-dump | gzip -6            (the runbook's way)
#   2. mariadb-dump | pigz -6 -p 2
#   3. mariadb-dump > /dev/null          (the floor: the dump alone)
#   4. richsops backup                   (pgzip -6, .partial, verify, rename)
# Each RUNS times (default 3); prints every run and the medians, sizes, and
# verifies every output (gzip -t and the "-- Dump completed" trailer).
# Usage: bench/db-backup.sh [path/to/richsops]   (needs pigz, mariadb-server)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-bin/richsops}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/var/tmp/richsops-bench}
OUT=${BENCH_OUT:-$DIR/out}
SOCK=$DIR/mysqld.sock
[ -n "${1:-}" ] || make -s build # bin/richsops
bench/db-server.sh >/dev/null
mkdir -p "$OUT"
DUMP=(mariadb-dump --no-defaults -S "$SOCK" -uroot --single-transaction --quick --routines --triggers --events benchdb)
q() { printf '"%s", ' "$@" | sed 's/, $//'; }
cat > "$OUT/config.toml" <<TOML
audit_log = "$OUT/audit.jsonl"
[backup]
dir = "$OUT/richsops"
keep = 1
level = 6
min_free = "1GiB"
dump = [$(q "${DUMP[@]}")]
TOML

verify() { # file: gzip -t, then the trailer
  gzip -t "$1" && zcat "$1" | tail -c 200 | grep -q -- '-- Dump completed' && echo verified || echo "NOT VERIFIED"
}
secs() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A T
for run in $(seq "$RUNS"); do
  T[floor]+="$(secs bash -c '"$@" > /dev/null' _ "${DUMP[@]}") "
  T[gzip]+="$(secs bash -c '"$@" | gzip -6 > "'"$OUT"'/gzip.sql.gz"' _ "${DUMP[@]}") "
  T[pigz]+="$(secs bash -c '"$@" | pigz -6 -p 2 > "'"$OUT"'/pigz.sql.gz"' _ "${DUMP[@]}") "
  rm -rf "$OUT/richsops"
  T[richsops]+="$(secs bash -c '"$0" --config "$1" --yes backup > "$2" 2>&1' "$BIN" "$OUT/config.toml" "$OUT/richsops.log") "
  grep -E 'wrote|verified' "$OUT/richsops.log" >&2
  echo "after run $run: floor ${T[floor]}/ gzip ${T[gzip]}/ pigz ${T[pigz]}/ richsops ${T[richsops]}" >&2
done
dumpsize=$("${DUMP[@]}" | wc -c)
rs=$(ls "$OUT"/richsops/db-*.sql.gz)
echo "dump size: $dumpsize bytes"
printf '%-34s %10s %14s %s\n' method "median s" "size bytes" check
for m in floor gzip pigz richsops; do
  med=$(tr ' ' '\n' <<<"${T[$m]}" | grep . | median)
  case $m in
    floor) size=-; chk=-;;
    gzip) size=$(stat -c %s "$OUT/gzip.sql.gz"); chk=$(verify "$OUT/gzip.sql.gz");;
    pigz) size=$(stat -c %s "$OUT/pigz.sql.gz"); chk=$(verify "$OUT/pigz.sql.gz");;
    richsops) size=$(stat -c %s "$rs"); chk=$(verify "$rs");;
  esac
  printf '%-34s %10.1f %14s %s   (runs: %s)\n' "$m" "$med" "$size" "$chk" "${T[$m]}"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
