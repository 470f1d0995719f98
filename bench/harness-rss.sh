#!/usr/bin/env bash
# The harness's own peak memory (VmHWM of the memharness process, not of its
# workloads) over long runs and large consoles. Prints figures; asserts nothing.
#
#   bench/harness-rss.sh run ITERATIONS [CONFIG]
#       (root) a real `memharness run` of ITERATIONS iterations of CONFIG
#       (default bench/rss-tiny.toml, the cheapest real test); prints the
#       harness's VmHWM as the iterations complete, so a flat line shows that
#       nothing is kept per iteration. Serialise it with other root runs:
#       `flock LOCKFILE bench/harness-rss.sh run 3000`. MEMHARNESS_BIN names
#       another memharness binary to measure (default build/memharness), e.g.
#       one built before a change, for comparison.
#   bench/harness-rss.sh console [SIZE]
#       a generated console of SIZE (default 1G, in /var/tmp, removed after)
#       through the VM target's console path (build/bench/console-rss-bench:
#       followed into the verdict and guest output, then copied atomically),
#       and, for comparison, read whole as the harness did before.
#
# Builds nothing: run ci/build.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}

kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
vmhwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

case "$mode" in
run)
  iterations=${2:?usage: bench/harness-rss.sh run ITERATIONS [CONFIG]}
  config=${3:-bench/rss-tiny.toml}
  work=$(mktemp -d /var/tmp/memharness-rss-bench-XXXXXX)
  trap 'rm -rf "$work"' EXIT
  export MEMHARNESS_STATE_DIR=${MEMHARNESS_STATE_DIR:-$work/state}
  echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "binary: ${MEMHARNESS_BIN:-build/memharness}; config: $config, $iterations iterations"
  started=$(date +%s.%N)
  "${MEMHARNESS_BIN:-build/memharness}" run "$config" --iterations "$iterations" --results "$work/results" > "$work/log" 2>&1 &
  pid=$!
  # Checkpoints: VmHWM when the iteration count passes each of these.
  checkpoints=(1 10 30 100 300 1000 3000 10000 30000 100000)
  next=0 peak=0
  echo "iterations_done  vmhwm_mib  vmrss_mib  elapsed_s"
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(vmhwm_kib "$pid")
    [[ -n "$hwm" && "$hwm" -gt "$peak" ]] && peak=$hwm
    done_count=$(grep -c ' finished in ' "$work/log" || true)
    while ((next < ${#checkpoints[@]} && checkpoints[next] <= iterations && done_count >= checkpoints[next])); do
      rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
      printf '%15d  %9s  %9s  %9s\n' "${checkpoints[next]}" "$(kib_to_mib "$peak")" "$(kib_to_mib "${rss:-0}")" \
        "$(seconds_since "$started")"
      next=$((next + 1))
    done
    sleep 0.5
  done
  status=0
  wait "$pid" || status=$?
  elapsed=$(seconds_since "$started")
  completed=$(grep -c ' finished in ' "$work/log" || true)
  # The end of the run, past the last checkpoint: the peak sampled last.
  printf '%15d  %9s  %9s  %9s  (at exit)\n' "$completed" "$(kib_to_mib "$peak")" "-" "$elapsed"
  echo "exit status: $status; iterations completed: $completed in $elapsed s" \
    "($(awk -v e="$elapsed" -v n="$completed" 'BEGIN { printf "%.2f", n ? e / n : 0 }') s per iteration)"
  echo "peak VmHWM of the harness: $(kib_to_mib "$peak") MiB (sampled every 0.5 s)"
  echo "results on disk: $(du -sh "$work/results" | cut -f1)"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  if ((status != 0)); then tail -20 "$work/log"; fi
  ;;
console)
  size=${2:-1G}
  [[ -x build/bench/console-rss-bench ]] || { echo "build/bench/console-rss-bench: run ci/build.sh first" >&2; exit 1; }
  work=$(mktemp -d /var/tmp/memharness-console-bench-XXXXXX)
  trap 'rm -rf "$work"' EXIT
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # A guest that printed for hours: boot lines, the init's begin marker, SIZE of
  # guest output, an oops with its trace, the end marker.
  {
    printf '[    0.000000] Linux version 6.12.111+deb12-cloud-amd64\r\n'
    printf 'memharness-guest: begin 6.12.111+deb12-cloud-amd64 uptime=3.25 console=ttyS0\r\n'
    head -c "$size" < <(yes $'[ 1234.567890] [anon-dirty-quick] iteration 7: phase dirty: a line of guest output\r')
    printf '\n[ 9999.000001] BUG: unable to handle page fault for address: ffff8880deadbeef\r\n'
    for i in $(seq 1 40); do printf '[ 9999.%06d]  trace line %d\r\n' "$i" "$i"; done
    printf 'memharness-guest: end status=0\r\nreboot: Power down\r\n'
  } > "$work/console.log"
  echo "console: $(du -h "$work/console.log" | cut -f1) in $work"
  for path in stream whole; do
    build/bench/console-rss-bench "$path" "$work/console.log" "$work/copy.log"
    cmp -s "$work/console.log" "$work/copy.log" || echo "the copy differs from the console"
    rm -f "$work/copy.log"
  done
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  ;;
*)
  echo "usage: bench/harness-rss.sh run ITERATIONS [CONFIG] | console [SIZE]" >&2
  exit 2
  ;;
esac
