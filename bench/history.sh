#!/usr/bin/env bash
# The history store at scale: N synthetic run directories (default 1,000;
# copies of the fixture run tests/fixtures/runs/results/a/... with their own
# timestamps and started_at, spread over three labels), then the time and peak
# RSS (/usr/bin/time -v) of `memharness history --rebuild`, of a metric's
# series and of the metric list, and the database's size. Needs a built
# ./build/memharness (BINARY overrides). Nothing outside a temporary directory
# is touched (KEEP=1 keeps it).
#
# Usage (from the source tree): bash bench/history.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
binary=${BINARY:-build/memharness}
[[ -x $binary ]] || { echo "bench/history.sh: $binary: not built (ninja -C build memharness)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/history.sh: /usr/bin/time: missing (apt-get install time)" >&2; exit 1; }
source_run=tests/fixtures/runs/results/a/anon-dirty-quick/2026-11-22T04-54-45Z

work=$(mktemp -d "${TMPDIR:-/tmp}/memharness-history-bench-XXXXXX")
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT
results=$work/results
labels=(nightly last-good candidate)
start_epoch=$(date -u -d 2025-01-01T00:00:00Z +%s)
for ((i = 0; i < n; i++)); do
  stamp=$(date -u -d "@$((start_epoch + i * 3600))" +%FT%TZ)  # one run an hour
  label=${labels[i % 3]}
  run=$results/$label/anon-dirty-quick/${stamp//:/-}
  mkdir -p "${run%/*}"
  cp -r "$source_run" "$run"
  sed -i -e "s/\"started_at\": \"[^\"]*\"/\"started_at\": \"$stamp\"/" \
    -e "s/\"label\": \"a\"/\"label\": \"$label\"/" "$run/manifest.json"
done
echo "$(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); $n runs ($(du -sh "$results" | cut -f1)) in $results"

# One timed command: its wall time and peak RSS from /usr/bin/time -v.
timed() {
  local name=$1
  shift
  sync
  /usr/bin/time -v "$@" >"$work/$name.out" 2>"$work/$name.time"
  local wall rss
  wall=$(sed -n 's/^\tElapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time")
  rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$work/$name.time")
  printf '%-38s wall %8s  max RSS %7s KiB  (%s lines of output)\n' "$name" "$wall" "$rss" "$(wc -l <"$work/$name.out")"
}
timed "history --rebuild" "$binary" history --rebuild --results "$results"
timed "history --rebuild (again)" "$binary" history --rebuild --results "$results"
timed "history --metric elapsed" "$binary" history --results "$results" --test anon-dirty-quick --metric elapsed
timed "history --metric ... --label --since" "$binary" history --results "$results" --test anon-dirty-quick \
  --metric vmstat.pgscan_direct --label nightly --since 2025-01-20 --format csv
timed "history (metric list)" "$binary" history --results "$results"
echo "history.db: $(du -h "$results/history.db" | cut -f1)"
