#!/usr/bin/env bash
# A test machine's nightly job: set up, build, and run a nightly suite on the
# kernel the machine booted (README "Nightly"). Exit code as `memharness
# nightly`: 0 passed, 1 regression, 4 a test did not complete.
# Usage: ci/nightly.sh [SUITE] [memharness nightly options...]
# e.g. from cron, once the machine has booted tonight's kernel:
#   30 2 * * * cd /srv/memharness && bash ci/nightly.sh configs/nightly.toml --junit /srv/ci/nightly.xml
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
suite=${1:-configs/nightly.toml}
shift || true
source ci/delegated-scope.sh
exec "${launcher[@]}" build/memharness nightly --suite "$suite" "$@"
