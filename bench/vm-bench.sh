#!/usr/bin/env bash
# VM target figures: initramfs build time uncached and cached, boot-to-workload
# latency (the guest's uptime when its init starts the run), and the whole VM
# round trip of a tiny job, per Debian kernel. Runs ROUNDS (default 3) rounds
# alternating the kernels, each round with a fresh initramfs cache first.
# Usage: bench/vm-bench.sh [ROUNDS]   (root; builds nothing: run ci/build.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
mapfile -t kernels < <(bash ci/fetch-kernels.sh)
work=$(mktemp -d /tmp/memharness-vm-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export MEMHARNESS_STATE_DIR=${MEMHARNESS_STATE_DIR:-$work/state}
default_cache=${MEMHARNESS_CACHE_DIR:-/var/cache/memharness}
figure() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); v=m['vm']; print(v['release'], v['accelerator'], 'cached' if v['initramfs']['cached'] else 'uncached', round(v['initramfs']['seconds'],2), v['boot_to_workload_s'], round(v['elapsed_s'],1), m['status'])" "$1"; }
echo "release accelerator initramfs initramfs_s boot_to_workload_s vm_round_trip_s status"
for ((round = 1; round <= rounds; round++)); do
  for kernel in "${kernels[@]}"; do
    cache="$work/cache-$round"
    mkdir -p "$cache"
    cp "$default_cache"/kvm-probe-* "$cache"/ 2>/dev/null || true  # the KVM answer, not the archives
    for pass in uncached cached; do
      results="$work/results-$round-$pass-$(basename "$kernel")"
      MEMHARNESS_CACHE_DIR=$cache build/memharness run bench/vm-noop.toml --kernel "$kernel" --results "$results" \
        > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
      figure "$(find "$results" -name manifest.json | head -1)"
    done
    rm -rf "$cache"
  done
done
