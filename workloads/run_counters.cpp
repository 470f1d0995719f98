#include "workloads/run_counters.h"

#include <algorithm>

#include "harness/common/error.h"
#include "harness/system/procfs/vmstat.h"

namespace memharness::workloads {

namespace {

void copy_keys(const CounterMap& from, std::initializer_list<const char*> keys, CounterMap& to) {
  for (const char* key : keys)
    if (auto it = from.find(key); it != from.end()) to[std::string("memcg.") + key] = it->second;
}

}  // namespace

CounterMap read_run_counters(const system::SystemRoot& system, const system::MemoryCgroup* cgroup) {
  CounterMap out;
  auto vmstat = system::procfs::read_vmstat(system);
  for (const char* key : {"oom_kill", "pswpin", "pswpout"})
    if (auto it = vmstat.find(key); it != vmstat.end()) out[std::string("vmstat.") + key] = it->second;
  if (!cgroup) return out;
  // A cgroup file that cannot be read (a kernel without it) leaves its
  // counters out: the system's still tell the story.
  try {
    copy_keys(cgroup->memory_events(), {"oom_kill"}, out);  // v1: memory.oom_control, 4.13+
  } catch (const Error&) {
  }
  try {
    copy_keys(cgroup->memory_stat(), {"pswpin", "pswpout"}, out);  // v1's memory.stat counts no swap traffic
  } catch (const Error&) {
  }
  return out;
}

std::string counter_metric_name(std::string counter_key) {
  std::replace(counter_key.begin(), counter_key.end(), '.', '-');
  std::replace(counter_key.begin(), counter_key.end(), '_', '-');
  return counter_key;
}

RunCounters::RunCounters(const system::SystemRoot& system, const system::MemoryCgroup* cgroup)
    : system_(system), cgroup_(cgroup), start_(read_run_counters(system_, cgroup_)) {}

CounterMap RunCounters::delta() const { return counter_delta(start_, read_run_counters(system_, cgroup_)); }

}  // namespace memharness::workloads
