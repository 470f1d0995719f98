#include "probes/samplers/snapshot.h"

#include <filesystem>

#include "harness/common/atomic_file.h"
#include "harness/system/cgroup.h"
#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/meminfo.h"
#include "harness/system/procfs/vmstat.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {

Snapshot take_snapshot(const system::SystemRoot& system, const system::MemoryCgroup* cgroup) {
  Snapshot snapshot;
  // Every probe's files, as they are (probes/registry.h).
  const auto probes = ProbeRegistry::instance().all();
  for (const auto* probe : probes)
    for (const auto& file : probe->snapshot_files)
      if (auto text = system.try_read(file)) snapshot.raw_files[file] = std::move(*text);
  if (auto it = snapshot.raw_files.find("/proc/vmstat"); it != snapshot.raw_files.end())
    snapshot.vmstat = system::procfs::with_zone_sums(system::procfs::parse_vmstat(it->second));
  if (auto it = snapshot.raw_files.find("/proc/meminfo"); it != snapshot.raw_files.end())
    snapshot.meminfo = system::procfs::parse_meminfo(it->second);
  if (auto it = snapshot.raw_files.find("/proc/buddyinfo"); it != snapshot.raw_files.end())
    snapshot.fragmentation = system::procfs::fragmentation_indices(system::procfs::parse_buddyinfo(it->second));
  if (cgroup) {
    for (const auto* probe : probes)
      for (const auto& file : probe->cgroup_snapshot_files)
        if (auto text = system.try_read(cgroup->path() + "/" + file))
          snapshot.raw_files["cgroup/" + file] = std::move(*text);
    snapshot.memcg_stat = cgroup->memory_stat();
    snapshot.memcg_events = cgroup->memory_events();
    snapshot.memcg_usage_bytes = cgroup->usage_bytes();
    snapshot.memcg_peak_bytes = cgroup->peak_bytes();
  }
  return snapshot;
}

nlohmann::json fragmentation_json(const std::vector<system::procfs::ZoneFragmentation>& zones) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& z : zones)
    out["Node " + std::to_string(z.node) + " " + z.zone] = {
        {"unusable_free_index", z.unusable_free_index},
        {"fragmentation_index", z.fragmentation_index},
    };
  return out;
}

void write_snapshot_files(const Snapshot& snapshot, const std::filesystem::path& dir) {
  for (const auto& [name, text] : snapshot.raw_files) {
    std::string relative = name;
    while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
    auto file = dir / relative;
    std::filesystem::create_directories(file.parent_path());
    write_file_atomically(file, text);
  }
}

}  // namespace memharness::probes
