#!/usr/bin/env bash
# The HTML report in a real browser: Debian's chromium, headless, loads the
# compare page of the committed fixtures (tests/fixtures/runs) with no console
# message at all (the page has no script, so any message is an error: a parse
# problem, a blocked resource), its DOM after load holds every plot as an SVG
# with drawn paths, and its screenshot is not blank. A page with a deliberate
# script error must be caught by the same console check, so the check can fail.
# Skips (exit 77) without chromium or gnuplot, except under CI=true.
set -u
memharness=$1
fixtures=$2

need() {
  command -v "$1" >/dev/null && return 0
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: needs $1 (Debian package $2), and CI=true forbids skipping"
    exit 1
  fi
  echo "SKIP: needs $1 (Debian package $2; ci/setup.sh installs it)"
  exit 77
}
need chromium chromium
need gnuplot gnuplot-nox

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# One fresh profile per load: no state carried between pages or from earlier runs.
chromium_headless() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" --enable-logging=stderr --v=0 "$@"
}

chromium_load() {  # chromium_load PAGE OUTPUT-PREFIX: a screenshot, the DOM after load, the logs
  local page=$1 out=$2
  chromium_headless --window-size=1280,4000 --screenshot="$out.png" "file://$page" >/dev/null \
    2>"$out.screenshot.log" || fail "chromium --screenshot $page exited $?"
  chromium_headless --dump-dom "file://$page" >"$out.dom" 2>"$out.log" || fail "chromium --dump-dom $page exited $?"
}

# Console messages chromium logged for the page (its own dbus noise is not the page's).
console_messages() { grep -h ':CONSOLE' "$1.log" "$1.screenshot.log"; }

(cd "$fixtures/runs" && "$memharness" compare ab b c-regressed --format html --output "$tmp/compare.html")
[[ $? -eq 1 ]] || fail "compare ab b c-regressed --format html: want exit 1 (c-regressed regressed)"
[[ -s $tmp/compare.html ]] || { fail "no HTML written"; exit 1; }

chromium_load "$tmp/compare.html" "$tmp/compare"
if console_messages "$tmp/compare" >/dev/null; then
  fail "console messages loading the report: $(console_messages "$tmp/compare")"
fi

# Every figure of the source is in the loaded DOM with its SVG, and each SVG drew something.
figures=$(grep -c '<figure class="plot"' "$tmp/compare.html")
dom_svgs=$(grep -o '<svg' "$tmp/compare.dom" | wc -l)
dom_figures=$(grep -o '<figure class="plot"' "$tmp/compare.dom" | wc -l)
((figures >= 12)) || fail "only $figures figures in the page (want >= 12: 4 series x 3 runs, plus metrics)"
[[ $dom_figures -eq $figures && $dom_svgs -eq $figures ]] ||
  fail "DOM after load: $dom_figures figures, $dom_svgs svg elements (the page has $figures figures)"
empty=$(awk 'BEGIN{RS="</svg>"} /<svg/ && !/<path/ {n++} END{print n+0}' "$tmp/compare.dom")
[[ $empty -eq 0 ]] || fail "$empty SVG plots without a drawn path in the loaded DOM"
grep -q 'data-metric="elapsed"' "$tmp/compare.dom" || fail "no Elapsed plot in the DOM"

# Not blank: the page with plots compresses far worse than the same window blank.
printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n' \
  >"$tmp/blank.html"
chromium_load "$tmp/blank.html" "$tmp/blank"
report_png=$(stat -c %s "$tmp/compare.png" 2>/dev/null || echo 0)
blank_png=$(stat -c %s "$tmp/blank.png" 2>/dev/null || echo 0)
((blank_png > 0 && report_png > 10 * blank_png)) ||
  fail "screenshot looks blank: $report_png bytes, a blank page of the same size $blank_png bytes"

# The console check itself: a page with a script error must be reported.
printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bad</title></head><body><script>notDefined();</script></body></html>\n' \
  >"$tmp/bad.html"
chromium_load "$tmp/bad.html" "$tmp/bad"
console_messages "$tmp/bad" | grep -q 'notDefined' || fail "the console check missed a script error"

if ((failures)); then exit 1; fi
echo "html-browser: $figures plots loaded in chromium, no console messages, screenshot $report_png bytes (blank $blank_png)"
