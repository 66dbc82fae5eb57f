#!/usr/bin/env bash
# Symlink swaps during tmp clean-ups (issue "Trust under adversity", items 4
# and 13): a sub-folder of tmp is exchanged with a symbolic link to a folder
# outside tmp (renameat2 RENAME_EXCHANGE in a loop) while clean-ups run. The
# outside folder holds old files of the same names, sizes and times, so only
# the walk can tell them apart. Counts the swaps, the clean-ups run, the
# files removed inside tmp and outside it (must be 0). Two parts:
#   1. in-process: public.PlanClean + its action (the code of `public clean`
#      and of the Overview's clean-up) against a swapping goroutine
#   2. the built binary: `richsops public clean --yes` in a loop against a
#      separate swapping process (python3 calling renameat2 through libc)
# Usage (as root, needs go and python3): bench/stress-remove.sh
#   SWAPS     swaps of each part, at least (default 10000)
#   CLEANUPS  clean-ups of part 2, at least (default 200): its swapper runs
#             flat out during each one, so the swaps far outnumber them
set -euo pipefail
cd "$(dirname "$0")/.."
SWAPS=${SWAPS:-10000}
CLEANUPS=${CLEANUPS:-200}

echo "== 1. in-process, $SWAPS swaps"
RICHSOPS_STRESS_SWAPS=$SWAPS go test -count=1 -v -run '^TestCleanUnderSymlinkSwaps$' ./ops/public/ |
  grep -E 'swaps during|FAIL|^ok'

echo "== 2. bin/richsops public clean, $SWAPS swaps"
make -s build
W=$(mktemp -d /tmp/richsops-stress-remove.XXXXXX)
trap 'kill "${SW:-}" 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir -p "$W/public/tmp/sub" "$W/outside"
ln -s "$W/outside" "$W/public/tmp/sub.swap"
cat > "$W/config.toml" <<TOML
lang = "en"
audit_log = "$W/audit.jsonl"
[public]
dir = "$W/public"
TOML
FILES=20
put() { # dir: FILES old files, 10 bytes each, a month old (the same outside and in)
  for i in $(seq "$FILES"); do
    [ -e "$1/f$i.csv" ] || { printf 0123456789 > "$1/f$i.csv"; touch -d '30 days ago 00:00' "$1/f$i.csv"; }
  done
}
put "$W/outside"
cat > "$W/swap.py" <<'PY'
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b, out = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
stop = False
def halt(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, halt)
open(out + ".ready", "w").close()
done = 0
while not stop or done % 2:  # stop on an even count: sub is the real folder again
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
    done += 1
open(out, "w").write(str(done))
PY
swaps=0 cleanups=0 inside=0
while [ "$swaps" -lt "$SWAPS" ] || [ "$cleanups" -lt "$CLEANUPS" ]; do
  put "$W/public/tmp/sub"
  rm -f "$W/count" "$W/count.ready"
  python3 "$W/swap.py" "$W/public/tmp/sub" "$W/public/tmp/sub.swap" "$W/count" & SW=$!
  until [ -e "$W/count.ready" ]; do sleep 0.01; done
  bin/richsops --config "$W/config.toml" --yes public clean --older-than 7 >/dev/null 2>&1 || true
  cleanups=$((cleanups + 1))
  kill -TERM "$SW"
  wait "$SW"
  swaps=$((swaps + $(cat "$W/count")))
  left=$(find "$W/outside" -type f | wc -l)
  if [ "$left" -ne "$FILES" ]; then
    echo "WRONG: after $swaps swaps and $cleanups clean-ups, $((FILES - left)) files outside tmp were removed"
    exit 1
  fi
  inside=$((inside + FILES - $(find "$W/public/tmp/sub" -type f | wc -l)))
done
echo "$swaps swaps during $cleanups clean-ups: $inside files inside tmp removed, 0 outside"
