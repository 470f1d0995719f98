#!/usr/bin/env bash
# A test machine's nightly job: set up, build, and run a nightly suite on the
# kernel the machine booted (docs/nightly.md). Exit code as `memharness
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
# Not exec: this shell stays to pass a cron or CI stop (SIGTERM, SIGINT, SIGHUP)
# on to memharness, which then ends through its restore, and to restore at once
# if memharness itself was killed outright (SIGKILL, OOM) instead of leaving the
# machine changed until the next run restores it.
pid=
forward_stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi; }
trap forward_stop INT TERM HUP
"${launcher[@]}" build/memharness nightly --suite "$suite" "$@" &
pid=$!
status=0
while :; do
  wait "$pid" && status=0 || status=$?
  kill -0 "$pid" 2>/dev/null || break  # wait returned early for a trapped signal
done
if [ "$status" -gt 128 ]; then
  echo "nightly.sh: memharness died of signal $((status - 128)); restoring the machine" >&2
  build/memharness restore || true
fi
exit "$status"
