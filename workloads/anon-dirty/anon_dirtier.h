#pragma once
// The rate-limited anonymous dirtier behind anon-dirty's `rate`: `workers`
// threads each map their share of `total_bytes` and write pseudo-random data
// into it page by page, paced by a DirtyPacer at rate / workers, looping over
// the mapping until the duration, the page budget or a stop request ends it.
//
// It runs as `memharness internal-dirty-anon` (hidden from --help), spawned by
// the workload through the process supervisor, so that it is inside the test
// cgroup and its rusage is accounted like stress-ng's. A hidden subcommand
// rather than a separate executable: /proc/self/exe always finds it, in the
// build tree and installed alike, with no second binary to install or to keep
// in step with the harness that parses its report.
#include <atomic>
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace memharness::workloads {

struct AnonDirtierOptions {
  std::int64_t total_bytes = 0;  // mapped over all workers
  std::int64_t workers = 1;
  std::int64_t bytes_per_second = 0;  // over all workers, > 0
  std::chrono::nanoseconds duration{0};
  std::int64_t max_pages = 0;  // over all workers; 0: no budget
};

// What one run achieved, as the report's JSON object: bytes, pages, elapsed_s,
// rate_bytes_per_s, target_bytes_per_s, behind_schedule_s (the workers' mean),
// mapped_bytes, passes (bytes dirtied / bytes mapped: how often the mapping
// was rewritten), stopped (by a signal), failures (one sentence per worker).
nlohmann::json run_anon_dirtier(const AnonDirtierOptions& options, const std::atomic<bool>& stop);

}  // namespace memharness::workloads
