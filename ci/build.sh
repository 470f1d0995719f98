#!/usr/bin/env bash
# Configures (once) and builds memharness in ./build. Warnings are errors here,
# as in CI. Usage: ci/build.sh [extra meson options]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f build/build.ninja ]]; then
  meson configure build -Dwerror=true "$@" >/dev/null
else
  meson setup build -Dwerror=true "$@"
fi
ninja -C build
