#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) in ./build-fuzz with clang and runs each
# for a fixed number of executions from its committed seed corpus, with a fixed
# seed: a regression check that the parsers still reject the corpus and its
# mutations with clear errors, not a search (bench/fuzz-all.sh runs longer).
# Usage: ci/fuzz.sh [RUNS per target, default 3000]
# Without clang it skips with a warning; under CI=true it fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3000}
# shellcheck source=ci/fuzz-build.sh
source ci/fuzz-build.sh
status=0
fuzz_build || status=$?
if ((status == 77)); then exit 0; fi  # skipped, with a warning (a failure under CI=true)
((status == 0)) || exit "$status"

work=$(mktemp -d "${TMPDIR:-/tmp}/memharness-ci-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${fuzz_targets[@]}"; do
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  mkdir -p "$work/$target/new" "$work/$target/crashes"
  start=$SECONDS
  # New inputs go to the first (scratch) directory; the committed corpus is read only.
  if build-fuzz/fuzz/"fuzz-$target" -runs="$runs" -seed=1 -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="$work/$target/crashes/" -print_final_stats=1 "${dict[@]}" \
       "$work/$target/new" "fuzz/corpus/$target" >"$work/$target/log" 2>&1; then
    echo "fuzz-$target: $runs runs, no crash ($((SECONDS - start)) s)"
  else
    echo "fuzz-$target: FAILED after $((SECONDS - start)) s; the end of its log:" >&2
    tail -n 40 "$work/$target/log" >&2
    for crash in "$work/$target"/crashes/*; do
      [[ -e $crash ]] || continue
      echo "  input ($(wc -c <"$crash") bytes, base64): $(base64 -w0 "$crash" | head -c 4000)" >&2
    done
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "ci/fuzz.sh: crashes in: ${failed[*]} (reproduce: build-fuzz/fuzz/fuzz-NAME INPUT-FILE)" >&2
  exit 1
fi
