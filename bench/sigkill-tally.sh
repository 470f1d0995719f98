#!/usr/bin/env bash
# The SIGKILL proof at scale (issue 12): KILLS host quick runs (anon-dirty,
# dd-writeback, stress-highalloc hugetlb and THP) killed with SIGKILL at seeded
# random times in their startup, phases and teardown (a quarter, a half and a
# quarter of the kills), each next run started without a manual restore, then checked:
# no process of a killed run alive, no cgroup, tracefs instance, scratch
# directory, swapfile or journal left, every global knob as before, no run
# left "running". It is the integration test crash's random-kill case with
# more kills; the test prints one line per kill and the tally.
#
# Usage (root, from the source tree, after ci/build.sh):
#   bash bench/sigkill-tally.sh [KILLS [SEED]]     # defaults 200 and random
# Takes about KILLS x 10 s on the 2-core development VM. Exit status 0 when the
# tally has no problem.
set -u
cd "$(dirname "$0")/.."
kills=${1:-200}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
test_binary=build/tests/integration/integration-crash
[[ -x $test_binary ]] || { echo "sigkill-tally: $test_binary is missing: run ci/build.sh first" >&2; exit 2; }
log=$(mktemp /tmp/memharness-sigkill-tally.XXXXXX)
echo "sigkill-tally: $kills kills, seed $seed; log $log"
MEMHARNESS_SIGKILL_ROUNDS=$kills MEMHARNESS_SIGKILL_SEED=$seed \
  "$test_binary" --gtest_filter='CrashTest.KilledAtRandomTimes*' >"$log" 2>&1
status=$?
grep -E '^round [0-9]+:' "$log" | awk '{ outlived += ($(NF-2) != 0) } END { printf "kills with a survivor: %d of %d\n", outlived, NR }'
grep -E '^sigkill tally:' "$log" || { echo "sigkill-tally: the test printed no tally (see $log)" >&2; exit 1; }
[[ $status -eq 0 ]] || grep -A30 'Failure' "$log" | head -40
exit $status
