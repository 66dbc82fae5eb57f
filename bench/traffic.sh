#!/usr/bin/env bash
# bench/traffic.sh: `richsops traffic` against goaccess on the same 1 GiB
# combined-format access log. Prints both tools' request and status counts
# (they must be identical), the median wall time of RUNS runs each, and the
# ratio. Needs goaccess (apt-get install goaccess) and python3 (to read
# goaccess' JSON report).
#
#   bench/traffic.sh [SIZE_BYTES] [RUNS]      defaults: 1073741824 3
#
# The log is generated once into $BENCH_DIR (default /tmp/richsops-bench) by
# bench/genaccesslog (fixed seed: the same file every time). Both tools read
# it from the page cache: the first, untimed run of each warms it.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1073741824}
RUNS=${2:-3}
DIR=${BENCH_DIR:-/tmp/richsops-bench}
LOG=$DIR/access-$SIZE.log
mkdir -p "$DIR"
command -v goaccess >/dev/null || { echo "goaccess is missing: apt-get install goaccess" >&2; exit 1; }

go build -o "$DIR/richsops" .
[ -s "$LOG" ] || go run ./bench/genaccesslog -size "$SIZE" -o "$LOG"
printf 'file: %s (%s bytes, %s lines), %s CPUs\n' "$LOG" "$(stat -c %s "$LOG")" "$(wc -l < "$LOG")" "$(nproc)"

# seconds CMD...: wall time of one run, in seconds
seconds() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f\n", e - s}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

rops() { "$DIR/richsops" --config /dev/null traffic --json "$LOG" > "$DIR/richsops.json"; }
goa() { goaccess "$LOG" --log-format=COMBINED --no-progress --no-global-config -o "$DIR/goaccess.json"; }

rops; goa # warm the cache, and the reports compared below
times_r=(); times_g=()
for _ in $(seq "$RUNS"); do
  times_r+=("$(seconds rops)")
  times_g+=("$(seconds goa)")
done
mr=$(printf '%s\n' "${times_r[@]}" | median)
mg=$(printf '%s\n' "${times_g[@]}" | median)

python3 - "$DIR/richsops.json" "$DIR/goaccess.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = json.load(open(sys.argv[2]))
gs = {}
for cls in g["status_codes"]["data"]:
    for it in cls.get("items", []):
        gs[it["data"].split(" ")[0]] = it["hits"]["count"]
rs = {k: v for k, v in r["status"].items()}
print(f"requests: richsops {r['requests']} (+{r['invalid']} invalid)  goaccess {g['general']['valid_requests']} (+{g['general']['failed_requests']} failed)")
for code in sorted(set(rs) | set(gs)):
    print(f"  {code}: richsops {rs.get(code, 0):>10}  goaccess {gs.get(code, 0):>10}")
same = r["requests"] == g["general"]["valid_requests"] and rs == gs
print("counts identical:", "yes" if same else "NO")
sys.exit(0 if same else 1)
PY
echo "runs: richsops ${times_r[*]}  goaccess ${times_g[*]}"
printf 'median: richsops %.2f s  goaccess %.2f s  ratio %.1fx (goal: at least 10x)\n' "$mr" "$mg" "$(awk -v g="$mg" -v r="$mr" 'BEGIN {print g / r}')"
