#!/usr/bin/env bash
# `memharness history` on a copy of the committed fixtures
# (tests/fixtures/runs/README.md): bad arguments are one line naming the
# argument and what was expected, exit 2; a missing index is built on the
# first query; --rebuild replaces a file that is not an index.
set -u
memharness=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$2/runs/results" "$tmp/results"
results=$tmp/results
failures=0

# shellcheck source=tests/unit/cli_expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli_expect.sh"

expect 2 "--format xml: expected text, markdown, json or csv" history --results "$results" --format xml
expect 2 "--since 2026-13-01: expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ" history --results "$results" --since 2026-13-01
expect 2 "--since yesterday: expected" history --results "$results" --since yesterday
expect 2 "--results $tmp/none: expected a results directory" history --results "$tmp/none"
[[ ! -e $results/history.db ]] || { echo "FAIL: a refused command created history.db"; failures=$((failures + 1)); }

expect 0 "history.db does not exist: indexing" history --results "$results" --metric elapsed --label a --format csv
[[ $(head -1 "$tmp/out") == "started_at,label,kernel,n,mean,min,max,cov%,change,path" ]] || { echo "FAIL: csv header: $(head -1 "$tmp/out")"; failures=$((failures + 1)); }
[[ $(wc -l <"$tmp/out") -eq 3 ]] || { echo "FAIL: label a has two runs: $(cat "$tmp/out")"; failures=$((failures + 1)); }
expect 2 "--change-alpha 1.5: expected a probability between 0 and 1" history --results "$results" --metric elapsed --change-alpha 1.5
expect 2 "--min-segment 1: expected at least 2 runs" history --results "$results" --metric elapsed --min-segment 1
expect 2 "--metric no-such: no indexed run has this metric" history --results "$results" --metric no-such
expect 0 "" history --results "$results" --metric elapsed --since 2026-12-01 --format json
grep -q '"label": "tp"' "$tmp/out" && ! grep -q '"label": "ab"' "$tmp/out" || { echo "FAIL: --since: $(cat "$tmp/out")"; failures=$((failures + 1)); }

echo "not a database" >"$results/history.db"
expect 2 "$results/history.db: not a memharness history database" history --results "$results"
expect 0 "" history --rebuild --results "$results"
grep -q "7 run(s) indexed" "$tmp/out" || { echo "FAIL: rebuild: $(cat "$tmp/out")"; failures=$((failures + 1)); }
expect 0 "" history --results "$results"
grep -q "^elapsed  *s  *7  Elapsed$" "$tmp/out" || { echo "FAIL: metric list: $(head -3 "$tmp/out")"; failures=$((failures + 1)); }

((failures == 0)) && echo "history CLI: all checks passed"
exit $((failures > 0))
