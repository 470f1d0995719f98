#!/usr/bin/env bash
# The verdict's false-alarm and detection rates on real host runs (issue 11,
# item 8), not only simulated: PAIRS A/A pairs of dd-writeback-quick (the same
# config run twice, back to back) and PAIRS injected-regression pairs (the
# second run with vm.dirty_bytes = 2 MiB, which throttles every writer: a change
# of known direction in elapsed time and throughput), ITERATIONS iterations per
# run, each pair compared with `memharness compare --format json`.
#
# Usage (root, from the source tree, after ci/build.sh):
#   bash bench/verdict-rates.sh [PAIRS [ITERATIONS]]     # defaults 10 and 5
# Takes about PAIRS x 4 runs x (ITERATIONS x ~7 s + setup) on the 2-core
# development VM. Prints one line per pair and the rates; README "Compare and
# report" quotes them with the machine and its load.
set -u
cd "$(dirname "$0")/.."
memharness=${MEMHARNESS:-build/memharness}
pairs=${1:-10}
iterations=${2:-5}
work=$(mktemp -d /var/tmp/memharness-verdict-rates.XXXXXX)
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT  # KEEP=1 keeps the runs for a look
cp configs/dd-writeback-quick.toml "$work/base.toml"
cp configs/dd-writeback-quick.toml "$work/injected.toml"
printf '\n[sysctl]\nvm.dirty_bytes = 2097152\n' >>"$work/injected.toml"

run() {  # run CONFIG LABEL
  "$memharness" run "$1" --kernel host --label "$2" --iterations "$iterations" --results "$work/results" \
    >"$work/$2.log" 2>&1 || { echo "run $2 failed: see $work/$2.log" >&2; tail -5 "$work/$2.log" >&2; exit 1; }
}

verdict() {  # verdict BASE OTHER -> "outcome regressed-ids" and the compare exit code
  "$memharness" compare "$1" "$2" --results "$work/results" --format json >"$work/$1-$2.json" 2>/dev/null
  local code=$?
  python3 - "$work/$1-$2.json" "$code" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
v = doc["verdicts"][0]
print(v["outcome"], sys.argv[2], ",".join(v["regressed"]) or "-",
      ",".join(m["id"] for m in v["mechanisms"][:3]) or "-")
PY
}

declare -A count
for kind in aa injected; do
  for ((i = 1; i <= pairs; i++)); do
    run "$work/base.toml" "$kind-$i-a"
    if [[ $kind == aa ]]; then run "$work/base.toml" "$kind-$i-b"; else run "$work/injected.toml" "$kind-$i-b"; fi
    line=$(verdict "$kind-$i-a" "$kind-$i-b")
    echo "$kind pair $i: $line"
    outcome=${line%% *}
    count[$kind-$outcome]=$((${count[$kind-$outcome]:-0} + 1))
  done
done
rate() { echo "${count[$1]:-0}/$pairs"; }
echo
echo "iterations per run: $iterations; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A/A pairs:      regression $(rate aa-regression), no regression $(rate aa-no_regression), inconclusive $(rate aa-inconclusive)"
echo "injected pairs: regression $(rate injected-regression), no regression $(rate injected-no_regression), inconclusive $(rate injected-inconclusive)"
