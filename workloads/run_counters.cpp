#include "workloads/run_counters.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness/system/cgroup.h"
#include "harness/system/procfs/vmstat.h"

namespace memharness::workloads {

namespace {

std::optional<CounterMap> read_flat_keyed(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return system::parse_flat_keyed(text.str(), file.string());
}

void copy_keys(const std::optional<CounterMap>& from, std::initializer_list<const char*> keys, CounterMap& to) {
  if (!from) return;
  for (const char* key : keys)
    if (auto it = from->find(key); it != from->end()) to[std::string("memcg.") + key] = it->second;
}

}  // namespace

CounterMap read_run_counters(const system::SystemRoot& system, const std::filesystem::path& cgroup_dir) {
  CounterMap out;
  auto vmstat = system::procfs::read_vmstat(system);
  for (const char* key : {"oom_kill", "pswpin", "pswpout"})
    if (auto it = vmstat.find(key); it != vmstat.end()) out[std::string("vmstat.") + key] = it->second;
  // v2: memory.events oom_kill, memory.stat pswpin/pswpout (6.x). v1:
  // memory.oom_control oom_kill (4.13+); its memory.stat counts no swap traffic.
  copy_keys(read_flat_keyed(cgroup_dir / "memory.events"), {"oom_kill"}, out);
  copy_keys(read_flat_keyed(cgroup_dir / "memory.oom_control"), {"oom_kill"}, out);
  copy_keys(read_flat_keyed(cgroup_dir / "memory.stat"), {"pswpin", "pswpout"}, out);
  return out;
}

std::string counter_metric_name(std::string counter_key) {
  std::replace(counter_key.begin(), counter_key.end(), '.', '-');
  std::replace(counter_key.begin(), counter_key.end(), '_', '-');
  return counter_key;
}

RunCounters::RunCounters(const system::SystemRoot& system, std::filesystem::path cgroup_dir)
    : system_(system), cgroup_dir_(std::move(cgroup_dir)), start_(read_run_counters(system_, cgroup_dir_)) {}

CounterMap RunCounters::delta() const { return counter_delta(start_, read_run_counters(system_, cgroup_dir_)); }

}  // namespace memharness::workloads
