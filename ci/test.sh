#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as errors,
# validates every config in configs/, runs every fuzz target briefly from its
# seed corpus (ci/fuzz.sh, a separate clang build), runs the unit, integration and vm tests
# (vm: Debian's 6.1 and 6.12 kernels booted under qemu, ci/fetch-kernels.sh).
# Integration tests need root; under CI=true they fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
echo "== includes follow the layering (docs/ARCHITECTURE.md)"
bash ci/check-layers.sh
echo "== C++ layout follows .clang-format"
bash ci/format.sh --check
bash ci/build.sh
echo "== check-config configs/*.toml"
build/memharness check-config configs/*.toml
echo "== fuzz targets: build-fuzz (clang), a fixed number of executions each"
bash ci/fuzz.sh
echo "== fetch the Debian kernels the vm suite boots (cached)"
bash ci/fetch-kernels.sh >/dev/null || echo "ci/test.sh: warning: cannot fetch the kernels: the vm tests will skip (fail under CI=true)" >&2
echo "== meson test (unit, integration, vm)"
meson test -C build --print-errorlogs --no-suite headline "$@"
