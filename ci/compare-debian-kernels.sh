#!/usr/bin/env bash
# The headline on a fresh machine: set up, build, fetch Debian's 6.1 and 6.12
# cloud kernels (cached), boot each in a VM, run TEST (default stress-highalloc,
# the reference config: 5 iterations per kernel, each in a fresh 512 MiB guest
# with swap, the kernels taking turns)
# inside both and print the comparison.
# Usage: ci/compare-debian-kernels.sh [TEST] [memharness run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
mapfile -t kernels < <(bash ci/fetch-kernels.sh)
test=${1:-stress-highalloc}
shift || true
exec build/memharness run "$test" --kernel "${kernels[0]}" --kernel "${kernels[1]}" "$@"
