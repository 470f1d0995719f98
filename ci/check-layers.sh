#!/usr/bin/env bash
# The layering of docs/ARCHITECTURE.md, checked on every #include of the
# harness, workload and probe sources: a part may include only itself and the
# parts below it. Prints FILE:LINE for each include that runs the wrong way and
# exits 1; tests/, bench/ and fuzz/ may include anything.
#
#   ci/check-layers.sh [ROOT]   (ROOT: the source tree, default: this checkout)
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root"

# part -> the parts it may include (besides itself and the generated headers).
declare -A allowed=(
  [harness/cli]="harness/runner harness/targets harness/config harness/analysis harness/report harness/history workloads probes harness/system harness/results harness/common"
  [harness/runner]="harness/targets harness/config workloads probes harness/system harness/results harness/common"
  [harness/targets]="harness/config harness/system harness/results harness/common"
  [harness/config]="workloads harness/results harness/common"
  [workloads]="harness/system harness/common"
  [probes]="harness/system harness/results harness/common"
  [harness/system]="harness/common"
  [harness/report]="harness/analysis harness/results harness/common"
  [harness/history]="harness/analysis harness/results harness/common"
  [harness/analysis]="harness/results harness/common"
  [harness/results]="harness/common"
  [harness/common]=""
)
# Headers meson generates, which depend on nothing.
generated='^(harness/version\.h|harness/git_commit\.h|memharness_features\.h)$'
# Known debts, each to be removed with the change that pays it (issue 13).
declare -A exceptions=(
  ["harness/report/gnuplot.cpp harness/system/process.h"]="report spawns gnuplot itself; wants a plot-renderer seam"
)

# One awk pass over every source file: FILE:LINE:TARGET for each include.
allowed_table=$(for part in "${!allowed[@]}"; do echo "$part=${allowed[$part]}"; done)
exception_table=$(for pair in "${!exceptions[@]}"; do echo "$pair"; done)
bad=0
find harness workloads probes -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) -print0 | sort -z |
  xargs -0 awk -v allowed_table="$allowed_table" -v exception_table="$exception_table" -v generated="$generated" '
    function part_of(path,   n, p) {
      n = split(path, p, "/")
      if (p[1] == "harness" && n > 2) return "harness/" p[2]
      if ((p[1] == "workloads" || p[1] == "probes") && n > 1) return p[1]
      return ""
    }
    BEGIN {
      n = split(allowed_table, rows, "\n")
      for (i = 1; i <= n; i++) { eq = index(rows[i], "="); allowed[substr(rows[i], 1, eq - 1)] = " " substr(rows[i], eq + 1) " " }
      n = split(exception_table, rows, "\n")
      for (i = 1; i <= n; i++) if (rows[i] != "") exception[rows[i]] = 1
    }
    FNR == 1 {
      from = part_of(FILENAME)
      if (!(from in allowed)) { print FILENAME ": not in any part of the layering (add it to ci/check-layers.sh)"; bad = 1; nextfile }
    }
    /^[ \t]*#[ \t]*include[ \t]*"/ {
      target = $0; sub(/^[^"]*"/, "", target); sub(/".*$/, "", target)
      if (target !~ /\//) next  # a header beside the file (probes/bpf)
      if (target ~ generated) next
      to = part_of(target)
      if (to == "" || to == from || index(allowed[from], " " to " ") || ((FILENAME " " target) in exception)) next
      list = allowed[from]; gsub(/^ +| +$/, "", list)
      print FILENAME ":" FNR ": #include \"" target "\": " from " may include only " (list == "" ? "itself" : list)
      bad = 1
    }
    END { exit bad }
  ' || bad=1

if (( bad )); then
  echo "ci/check-layers.sh: includes against the layering of docs/ARCHITECTURE.md (above)" >&2
  exit 1
fi
echo "ci/check-layers.sh: every #include follows the layering"
