#!/usr/bin/env bash
# What `memharness run` refuses before it touches anything, given input that
# would make it act as root where it should not: a label that leaves the
# results root, a config that sets a sysctl outside memory management.
# Usage: SCRIPT MEMHARNESS SOURCE_ROOT
set -u
memharness=$1
source_root=$2
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MEMHARNESS_STATE_DIR="$tmp/state" MEMHARNESS_CACHE_DIR="$tmp/cache"

expect() {  # expect CODE STDERR-SUBSTRING ARGS...
  local code=$1 message=$2
  shift 2
  "$memharness" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL: memharness $* -> exit $got (want $code), stderr: $(cat "$tmp/err") (want: $message)"
    failures=$((failures + 1))
  fi
}

# A VM run's label names its work area under the results root, removed later.
image="$source_root/tests/fixtures/vm/6.1.0-50-cloud-amd64/boot/vmlinuz-6.1.0-50-cloud-amd64"
mkdir -p "$tmp/deep/results"
expect 2 '--label "x/../..": expected letters, digits and . _ + - only' \
  run "$source_root/configs/vm-anon-dirty-quick.toml" --kernel "$image" --label 'x/../..' --results "$tmp/deep/results"
[[ -z $(ls -A "$tmp/deep/results") ]] || { echo "FAIL: something was created under results/"; failures=$((failures + 1)); }

# [sysctl] outside vm.*: refused unless the command line allows that key.
cat >"$tmp/core.toml" <<'TOML'
[cgroup]
memory-max = "64M"
[sysctl]
"kernel.memharness_no_such_sysctl" = "|/tmp/x"
[[phase]]
[[phase.workload]]
type = "anon-dirty"
TOML
expect 2 'to let this config set kernel.memharness_no_such_sysctl as root, add `--allow-sysctl kernel.memharness_no_such_sysctl`' \
  run "$tmp/core.toml" --results "$tmp/deep/results"
[[ ! -e $MEMHARNESS_STATE_DIR ]] || { echo "FAIL: a journal was started for a refused config"; failures=$((failures + 1)); }

if [[ $failures -ne 0 ]]; then exit 1; fi
echo "all refusals as expected"
