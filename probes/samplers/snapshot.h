#pragma once
// Start/end snapshots of the system's and the test cgroup's memory state. The raw
// kernel text is kept (written to the run directory as is), so a run can be
// re-analysed with better parsers later; the parsed counters feed the deltas.
// Which files: every registered probe's (probes/registry.h).
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/common/counters.h"
#include "harness/system/procfs/fragmentation.h"

namespace memharness::system {
class SystemRoot;
class MemoryCgroup;
}  // namespace memharness::system

namespace memharness::probes {

struct Snapshot {
  // "/proc/vmstat" -> its text, for every file that could be read.
  std::map<std::string, std::string> raw_files;
  CounterMap vmstat;        // per-zone variants summed on old kernels
  CounterMap meminfo;       // bytes
  CounterMap memcg_stat;    // normalised names (v1 and v2 alike); empty without a cgroup
  CounterMap memcg_events;  // normalised names
  std::optional<std::int64_t> memcg_usage_bytes;
  std::optional<std::int64_t> memcg_peak_bytes;
  // Unusable free space and fragmentation indices per zone and order, from buddyinfo.
  std::vector<system::procfs::ZoneFragmentation> fragmentation;
};

// {"Node 0 DMA32": {"unusable_free_index": [...], "fragmentation_index": [...]}, ...}
nlohmann::json fragmentation_json(const std::vector<system::procfs::ZoneFragmentation>& zones);

Snapshot take_snapshot(const system::SystemRoot& system, const system::MemoryCgroup* cgroup);

// Writes raw_files below `dir` (dir/proc/vmstat, dir/cgroup/memory.stat ...).
void write_snapshot_files(const Snapshot& snapshot, const std::filesystem::path& dir);

}  // namespace memharness::probes
