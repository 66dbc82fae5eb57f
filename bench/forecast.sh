#!/bin/sh
# Forecast figures (issue 19, section 7): a real tmpfs filled at a known
# rate through the watch service's sampler ("full in" against the truth
# after 10 samples, and after a purge), the error of "full in" over 14 days
# of noisy samples with a daily purge, and the time of one forecast of
# every disk from a history database of 14 days of samples.
# Usage: bench/forecast.sh [count, default 5]. Results: bench/forecast.md.
# The tmpfs part needs root (it mounts its own tmpfs under a temporary
# folder); nothing of the box is touched.
set -eu
cd "$(dirname "$0")/.."
count=${1:-5}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./ops/forecast/ -run TestTmpfsFilledAtAKnownRate -count 1 -v | grep -E 'forecast .* truth|SKIP|^(ok|FAIL)'
go test ./ops/forecast/ -run '^$' -bench 'ForecastError|Judge14Days' -benchtime 10x -count "$count" | grep -E '^Benchmark'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
