#!/usr/bin/env bash
# Rebuilds fuzz/corpus/ (committed) from the test fixtures: small seeds, one
# directory per fuzz target. Run it when the fixtures change; the fuzzer's own
# finds are not kept here (ci/fuzz.sh writes them to a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
fx=tests/fixtures
out=fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{config,ftrace,vmstat,meminfo,psi,buddyinfo,pagetypeinfo,zoneinfo,memory_stat,run_directory,journal,kernel_image,nightly_suite,compare_config}

# config: the shipped quick configs and the error fixtures that reach the compiler.
for f in configs/*-quick.toml; do cp "$f" "$out/config/"; done
for f in duration-bad limits-misordered memory-max-percent relative-not-allowed size-not-a-size sysctl-bad-name \
         timeout-overflows unknown-workload-param vm-memory-too-small syntax-error; do
  cp "$fx/config-errors/$f.toml" "$out/config/error-$f.toml"
done

# ftrace: slices of each capture format (header lines included), not whole captures.
head -c 3000 "$fx/tracepoints/6.18/trace-cmd-report.txt" > "$out/ftrace/trace-cmd-report-head.txt"
head -c 3000 "$fx/tracepoints/6.18/trace.txt" > "$out/ftrace/trace-6.18-head.txt"
head -c 3000 "$fx/tracepoints/6.12/trace_pipe.txt" > "$out/ftrace/trace_pipe-6.12-head.txt"
head -c 3000 "$fx/tracepoints/6.1/trace_pipe.txt" > "$out/ftrace/trace_pipe-6.1-head.txt"
# Stalls, compaction, throttling and lost-event lines, whichever capture has them.
for event in mm_vmscan_direct_reclaim_begin mm_vmscan_memcg_reclaim_end mm_compaction_end mm_vmscan_throttled \
             balance_dirty_pages sched_process_fork sched_process_exit mm_vmscan_kswapd_wake LOST; do
  grep -h -m 8 -e "$event" "$fx"/tracepoints/*/trace*.txt > "$out/ftrace/lines-$event.txt" || true
  [[ -s "$out/ftrace/lines-$event.txt" ]] || rm "$out/ftrace/lines-$event.txt"
done

# /proc and /sys text files.
for k in 6.1 6.12 6.18; do
  cp "$fx/kernels/$k/proc/vmstat" "$out/vmstat/vmstat-$k"
  cp "$fx/kernels/$k/proc/meminfo" "$out/meminfo/meminfo-$k"
  cp "$fx/kernels/$k/proc/pressure/memory" "$out/psi/pressure-memory-$k"
  cp "$fx/kernels/$k/proc/buddyinfo" "$out/buddyinfo/buddyinfo-$k"
  cp "$fx/kernels/$k/proc/pagetypeinfo" "$out/pagetypeinfo/pagetypeinfo-$k"
done
cp "$fx/procfs/vmstat-3.10-per-zone" "$fx/procfs/vmstat-malformed" "$out/vmstat/"
cp "$fx/procfs/psi-some-only" "$fx/procfs/psi-some-full" "$out/psi/"
cp "$fx/kernels/6.12/cgroup-v2/test/memory.pressure" "$out/psi/cgroup-memory.pressure"
cp "$fx/kernels/6.18/proc/zoneinfo" "$out/zoneinfo/zoneinfo-6.18"  # the one kernel captured with it
cp "$fx/procfs/buddyinfo-2nodes" "$out/buddyinfo/"
cp "$fx/procfs/pagetypeinfo-2nodes-cma-page-owner" "$out/pagetypeinfo/"
cp "$fx/kernels/6.12/cgroup-v2/test/memory.stat" "$out/memory_stat/v2-memory.stat"
cp "$fx/kernels/6.18/cgroup-v1/test/memory.stat" "$out/memory_stat/v1-memory.stat"
cp "$fx/kernels/6.12/cgroup-v2/test/memory.events" "$out/memory_stat/memory.events"

# Run directories in the "== PATH" framing of run_directory_fuzz.cpp, JSON
# compacted: two complete iterations of a plain run, one with tracepoints.json.
compact() { python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(',', ':')))" "$1"; }
frame() {  # frame RUN_DIR ITERATIONS...
  local run=$1; shift
  echo "== manifest.json"; compact "$run/manifest.json"
  for i in "$@"; do
    echo "== iterations/$i/result.json"; compact "$run/iterations/$i/result.json"
    if [[ -f "$run/iterations/$i/tracepoints.json" ]]; then
      echo "== iterations/$i/tracepoints.json"; compact "$run/iterations/$i/tracepoints.json"
    fi
    echo "== iterations/$i/timeseries.csv"; head -n 4 "$run/iterations/$i/timeseries.csv"
  done
}
frame "$fx/runs/results/a/anon-dirty-quick/2026-11-22T04-54-45Z" 1 2 > "$out/run_directory/plain-2-iterations"
frame "$fx/runs/results/tp/anon-dirty-quick/2026-12-01T20-01-22Z" 1 > "$out/run_directory/tracepoints-1-iteration"

# Journals: a crashed run's, one fully restored, one torn in its first write.
header='{"type":"header","format":1,"pid":999999,"start_ticks":17,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness","run","kernbench"]}'
{
  echo "$header"
  echo '{"type":"change","seq":1,"op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"1"}'
  echo '{"type":"change","seq":2,"op":"cgroup","path":"/sys/fs/cgroup/memharness-999999-test"}'
  echo '{"type":"change","seq":3,"op":"scratch_directory","path":"/var/tmp/memharness-dd-999999-1"}'
  echo '{"type":"restored","seq":3}'
} > "$out/journal/crashed"
{
  echo '{"type":"header","format":1,"pid":4242,"start_ticks":12345,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness","run"]}'
  echo '{"type":"change","seq":1,"op":"mount","path":"/sys/kernel/tracing","fstype":"tracefs"}'
} > "$out/journal/running-owner"
{
  echo "$header"
  echo '{"type":"change","seq":1,"op":"swapfile","path":"/var/tmp/memharness-swap-1"}'
  echo '{"type":"restored","seq":1}'
} > "$out/journal/restored"
printf '%s' '{"type":"head' > "$out/journal/torn-first-write"

# Kernel images: the boot header of each fixture up to its version string, and
# the same header with the version string moved close behind it (a small seed).
for image in "$fx"/vm/*/boot/vmlinuz-*; do
  release=${image##*/vmlinuz-}
  python3 - "$image" "$out/kernel_image/$release" "$out/kernel_image/$release-short" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
pointer = data[0x20e] | data[0x20f] << 8
end = data.index(b'\0', 0x200 + pointer) + 1
open(sys.argv[2], 'wb').write(data[:end])
short = bytearray(data[:0x280])
short[0x20e:0x210] = (0x80).to_bytes(2, 'little')  # 0x200 + 0x80
open(sys.argv[3], 'wb').write(bytes(short) + data[0x200 + pointer:end])
PY
done
# Nightly suites and compare configs: the shipped ones, and a broken one of each.
cp configs/nightly.toml configs/nightly-quick.toml "$out/nightly_suite/"
printf 'label = "../x"\n[[test]]\nconfig = "anon-dirty-quick"\niterations = "five"\n' > "$out/nightly_suite/bad-values"
cp docs/compare.example.toml "$out/compare_config/"
printf 'alpha = 2\n[metric."vmstat.pgscan_direct"]\ngates = "yes"\nmin_effect_pct = -1\n' > "$out/compare_config/bad-values"

du -sh "$out"
