#!/usr/bin/env bash
# Every fuzz target (fuzz/) for RUNS executions (default 1,000,000) from its
# seed corpus: prints per target the executions, the time, execs/s and the
# crashes (0 expected: any crash's input is kept and listed; make it a unit test
# and fix the parser, fuzz/README.md). Builds ./build-fuzz with clang first.
#
# Usage (from the source tree):
#   bash bench/fuzz-all.sh [RUNS [TARGET...]]
# One target at a time, each with one job (-jobs not used), so it takes one
# core; NICE (default 10) is its nice level. The corpus libFuzzer grows goes
# to a temporary directory (KEEP=1 keeps it and the crashes); the committed
# corpus is only read.
set -u
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
# shellcheck source=ci/fuzz-build.sh
source ci/fuzz-build.sh
status=0
fuzz_build || status=$?
((status == 0)) || { echo "bench/fuzz-all.sh: the fuzz targets could not be built" >&2; exit 1; }
(($#)) && fuzz_targets=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/memharness-fuzz-all-XXXXXX")
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT
echo "$(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs per target"
printf '%-14s %10s %8s %10s %8s %8s\n' target runs seconds execs/s corpus crashes
total_crashes=0
for target in "${fuzz_targets[@]}"; do
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  mkdir -p "$work/$target/corpus" "$work/$target/crashes"
  start=$(date +%s.%N)
  nice -n "${NICE:-10}" build-fuzz/fuzz/"fuzz-$target" -runs="$runs" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$work/$target/crashes/" -print_final_stats=1 "${dict[@]}" \
    "$work/$target/corpus" "fuzz/corpus/$target" >"$work/$target/log" 2>&1
  end=$(date +%s.%N)
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log" | tail -1)
  crashes=$(find "$work/$target/crashes" -type f | wc -l)
  corpus=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' "$work/$target/log" | tail -1)
  seconds=$(echo "$end - $start" | bc)
  printf '%-14s %10s %8.1f %10.0f %8s %8s\n' "$target" "${executed:-?}" "$seconds" \
    "$(echo "${executed:-0} / $seconds" | bc -l)" "${corpus:-?}" "$crashes"
  if ((crashes)); then
    total_crashes=$((total_crashes + crashes))
    grep -m1 -A12 -e "==ERROR" -e "runtime error" -e "terminate called" -e "deadly signal" "$work/$target/log" | sed 's/^/    /'
    KEEP=1
  fi
done
echo "crashes: $total_crashes"
if ((total_crashes)); then
  trap - EXIT
  echo "inputs kept in $work/*/crashes (reproduce: build-fuzz/fuzz/fuzz-TARGET FILE)"
  exit 1
fi
