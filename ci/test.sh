#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as errors,
# validates every config in configs/, runs the unit and integration tests.
# Integration tests need root; under CI=true they fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
echo "== check-config configs/*.toml"
build/memharness check-config configs/*.toml
echo "== meson test"
meson test -C build --print-errorlogs "$@"
