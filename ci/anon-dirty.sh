#!/usr/bin/env bash
# The main job: set up, build, and run the anon-dirty test on the host kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
source ci/delegated-scope.sh
exec "${launcher[@]}" build/memharness run anon-dirty --kernel host "$@"
