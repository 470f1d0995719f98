#!/usr/bin/env bash
# The verdict's false-alarm and detection rates on real host runs (issue 11,
# item 8), not only simulated: PAIRS A/A pairs (two host variants with the same
# settings) and PAIRS injected pairs (the second variant with vm.dirty_bytes =
# INJECT, which throttles every writer: a change of known direction in elapsed
# time), each pair one `memharness run` of a short dd-writeback config with the
# two variants interleaved and ITERATIONS iterations (a number, or auto: stop
# at the first look that decides, docs/vms.md "Host variants and --iterations auto"). The verdict is the
# run's own closing comparison (--format json), so auto's per-look alpha holds.
#
# Usage (root, from the source tree, after ci/build.sh):
#   bash bench/verdict-rates.sh [PAIRS [ITERATIONS]]      # defaults 10 and auto
#   INJECT=2097152 bash bench/verdict-rates.sh 10 6       # a milder injection
#   KINDS=aa bash bench/verdict-rates.sh 10 6              # only the A/A pairs (no sysctl changes)
# A pair takes ~2 x ITERATIONS x 3-5 s on the 2-core development VM. Prints one
# line per pair and the rates; docs/compare.md "On real host runs" quotes them with the
# machine and its load.
set -u
cd "$(dirname "$0")/.."
memharness=${MEMHARNESS:-build/memharness}
pairs=${1:-10}
iterations=${2:-auto}
inject=${INJECT:-65536}
work=$(mktemp -d /var/tmp/memharness-verdict-rates.XXXXXX)
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT  # KEEP=1 keeps the runs for a look
mkdir "$work/scratch"
cat >"$work/writeback.toml" <<EOF
name = "verdict-rates"
description = "bench/verdict-rates.sh: two dd writers, 256 MiB under a 128 MiB limit"
iterations = 1
sample-interval = "500ms"
timeout = "3m"
[cgroup]
memory-max = "128M"
[[phase]]
name = "write"
[[phase.workload]]
type = "dd-writeback"
min-threads = 2
max-threads = 2
total = "200%"
directory = "$work/scratch"
EOF

pair() {  # pair NAME SECOND-KERNEL -> "outcome exit regressed mechanisms iterations"
  local log="$work/$1.log"
  "$memharness" run "$work/writeback.toml" --kernel a=host --kernel "$2" --iterations "$iterations" \
    --results "$work/results-$1" --format json >"$log" 2>&1
  local code=$?
  python3 - "$log" "$code" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
start = text.rfind("\n{\n")
if start < 0:
    print("failed", sys.argv[2], "-", "-", "-", f"(see {sys.argv[1]})")
    sys.exit()
doc = json.loads(text[start:])
v = doc["verdicts"][0]
n = min(r["iterations_complete"] for r in doc["runs"]) if "runs" in doc else "?"
print(v["outcome"], sys.argv[2], ",".join(v["regressed"]) or "-",
      ",".join(m["id"] for m in v["mechanisms"][:3]) or "-", n)
PY
}

declare -A count
declare -A used
for kind in ${KINDS:-aa injected}; do
  for ((i = 1; i <= pairs; i++)); do
    if [[ $kind == aa ]]; then second=b=host; else second=b=host,sysctl=vm.dirty_bytes=$inject; fi
    line=$(pair "$kind-$i" "$second")
    echo "$kind pair $i: $line"
    outcome=${line%% *}
    count[$kind-$outcome]=$((${count[$kind-$outcome]:-0} + 1))
    n=${line##* }
    [[ $n =~ ^[0-9]+$ ]] && used[$kind]=$((${used[$kind]:-0} + n))
  done
done
rate() { echo "${count[$1]:-0}/$pairs"; }
mean() { awk -v s="${used[$1]:-0}" -v n="$pairs" 'BEGIN { printf "%.1f", s / n }'; }
echo
echo "iterations: $iterations; injected vm.dirty_bytes = $inject; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in ${KINDS:-aa injected}; do
  name=$([[ $kind == aa ]] && echo "A/A pairs:     " || echo "injected pairs:")
  echo "$name regression $(rate "$kind-regression"), no regression $(rate "$kind-no_regression"), inconclusive $(rate "$kind-inconclusive"), failed $(rate "$kind-failed"); mean iterations per side $(mean "$kind")"
done
