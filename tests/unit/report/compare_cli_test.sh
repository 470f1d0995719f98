#!/usr/bin/env bash
# The exit codes and error messages of `memharness compare` and `report` on the
# committed fixtures (tests/fixtures/runs/README.md).
set -u
memharness=$1
cd "$2/runs" || exit 1
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/unit/cli_expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli_expect.sh"

# 3 iterations a side cannot be judged: inconclusive (exit 5), and it says so.
expect 5 "" compare a b
grep -q "^Result: inconclusive: 5 of 5 gating metrics not judged" "$tmp/out" || { echo "FAIL: inconclusive result line: $(tail -3 "$tmp/out")"; failures=$((failures + 1)); }
expect 5 "" compare a c-regressed           # 3 against 6: still too few for p < 0.01
expect 1 "" compare ab c-regressed
grep -q "^Result: REGRESSION in 2 of 5 gating metrics (elapsed, vmstat.nr_vmscan_write)" "$tmp/out" || { echo "FAIL: regression result line"; failures=$((failures + 1)); }
expect 1 "" compare c-regressed --baseline ab --format junit --output "$tmp/out.xml"
grep -q '<failure message="Elapsed (s): -14' "$tmp/out.xml" || { echo "FAIL: junit failure message"; failures=$((failures + 1)); }
grep -q '<testcase classname="memharness.anon-dirty-quick" name="verdict c-regressed vs ab">' "$tmp/out.xml" || { echo "FAIL: junit verdict testcase"; failures=$((failures + 1)); }
expect 0 "" compare c-regressed ab          # the same change seen the other way is an improvement
grep -q "^Result: no regression (5 gating metrics judged: " "$tmp/out" || { echo "FAIL: no-regression result line"; failures=$((failures + 1)); }
expect 5 "" compare a b --format json --output "$tmp/out.json"
grep -q '"outcome": "inconclusive"' "$tmp/out.json" || { echo "FAIL: json outcome"; failures=$((failures + 1)); }
expect 0 "" report a --format json
expect 2 "no-such-label: neither a run directory nor a label stored under results" compare a no-such-label
expect 2 "--format pdf: expected text, markdown, json, junit or html" compare a b --format pdf
if command -v gnuplot >/dev/null; then
  expect 5 "" compare a b --format html --output "$tmp/out.html"
  grep -q '<p id="summary" data-outcome="inconclusive">' "$tmp/out.html" || { echo "FAIL: html outcome"; failures=$((failures + 1)); }
  grep -q '<figure class="plot"' "$tmp/out.html" || { echo "FAIL: no plots in the HTML"; failures=$((failures + 1)); }
  # Without gnuplot: exit 3 naming it, and no file left behind.
  PATH=/nonexistent "$memharness" compare a b --format html --output "$tmp/none.html" 2>"$tmp/err"
  [[ $? -eq 3 && ! -e $tmp/none.html ]] && grep -q "gnuplot, which is not on PATH" "$tmp/err" ||
    { echo "FAIL: html without gnuplot: $(cat "$tmp/err")"; failures=$((failures + 1)); }
elif [[ ${CI:-} == true ]]; then
  echo "FAIL: gnuplot missing (ci/setup.sh installs gnuplot-nox)"; failures=$((failures + 1))
else
  echo "skipping the html checks: gnuplot is not installed"
fi
expect 2 "compare needs at least two runs" compare a
expect 2 "unknown key \"beta\"" compare a b --config <(echo 'beta = 1')
# A run that differs from "a" in one respect at a time: a warning naming both
# values without --strict, exit 2 with --strict, and nothing on stdout then.
differs() {  # differs WHAT SED-EXPRESSION
  rm -rf "$tmp/results" && mkdir -p "$tmp/results" && cp -r results/ab "$tmp/results/"
  sed -i "$2" "$tmp"/results/ab/anon-dirty-quick/*/manifest.json
  expect 0 "warning: $1" compare results/ab ab --results "$tmp/results"
  expect 2 "--strict: the runs are not comparable: $1" compare ab "$tmp/results/ab" --strict
  [[ ! -s $tmp/out ]] || { echo "FAIL: --strict printed a report"; failures=$((failures + 1)); }
}
differs "CPU count differs: 2 in ab" 's/"cpus": 2/"cpus": 4/'
differs "config hash differs: d09c767255256fbf in ab" 's/"hash": "d09c767255256fbf"/"hash": "0123456789abcdef"/'
differs "MemTotal differs: 25276502016 in ab" 's/"mem_total_bytes": 25276502016/"mem_total_bytes": 8589934592/'
# The same runs, nothing differing: no warning, and --strict is content.
expect 0 "" compare ab c-regressed --baseline c-regressed --strict
grep -q warning "$tmp/err" && { echo "FAIL: warning for comparable runs: $(cat "$tmp/err")"; failures=$((failures + 1)); }
# A kernel lacking the write tracepoints: n/a, never a regression.
expect 5 "" compare tp tp-no-write-event
grep -q "^Direct reclaim write file  *0  *n/a$" "$tmp/out" || { echo "FAIL: no n/a row"; failures=$((failures + 1)); }
expect 3 "--output /nonexistent/dir/x.txt: cannot be written" compare a b --output /nonexistent/dir/x.txt

if ((failures)); then exit 1; fi
echo "all compare CLI checks passed"
