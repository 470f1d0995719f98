#pragma once
// Pressure stall information (PSI, Linux 4.20+): the share of wall time in which
// tasks stalled waiting for memory. Recorded per run from /proc/pressure/memory
// (system-wide) and from the test cgroup's memory.pressure (cgroup v2), since a
// stall is what a user actually feels of reclaim and compaction.
//
//   some avg10=0.12 avg60=0.05 avg300=0.01 total=8211
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=6828
#include <cstdint>
#include <optional>
#include <string_view>

#include "harness/system/system_root.h"

namespace memharness::system::procfs {

struct PsiLine {
  // Percentage (0-100) of time stalled, averaged over 10 s, 60 s and 300 s.
  double avg10 = 0;
  double avg60 = 0;
  double avg300 = 0;
  std::int64_t total_us = 0;  // cumulative stall time since boot, microseconds
};

struct Psi {
  PsiLine some;  // at least one task stalled
  // All non-idle tasks stalled at once. Always present for memory; absent from
  // older kernels' cpu file (before 5.13), so it is optional.
  std::optional<PsiLine> full;
};

// Parses a PSI file. `source` names the input in error messages. Throws
// memharness::Error(environment) on a malformed line or a missing "some" line.
Psi parse_psi(std::string_view text, std::string_view source);

// Reads the PSI file at `absolute_path` under `root` (e.g. a cgroup's
// memory.pressure). nullopt when PSI is unavailable: the file is missing
// (CONFIG_PSI=n; psi=0 at boot hides /proc/pressure; cgroup.pressure=0 hides a
// cgroup's files) or reading it fails with EOPNOTSUPP (PSI disabled at boot on
// kernels that still create the cgroup files). Any other failure throws
// memharness::Error(environment).
std::optional<Psi> read_psi(const SystemRoot& root, std::string_view absolute_path);

// read_psi(root, "/proc/pressure/memory").
std::optional<Psi> read_memory_psi(const SystemRoot& root);

}  // namespace memharness::system::procfs
