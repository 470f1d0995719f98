#pragma once
// Kernel counters a workload reports for its own run (OOM kills, pages swapped
// in and out): system-wide from /proc/vmstat and, where the kernel has them,
// the test cgroup's own (cgroup v2 memory.events / memory.stat, v1
// memory.oom_control). The iteration records the same deltas for the whole
// iteration; these cover just the workload's run, so a mix can judge itself.
#include <filesystem>
#include <string>

#include "harness/common/counters.h"
#include "harness/system/system_root.h"

namespace memharness::workloads {

// "vmstat.oom_kill", "vmstat.pswpin", "vmstat.pswpout" and, when present,
// "memcg.oom_kill", "memcg.pswpin", "memcg.pswpout" read now. `cgroup_dir` is
// the cgroup's directory as a real path (WorkloadContext::cgroup_procs_file's parent).
CounterMap read_run_counters(const system::SystemRoot& system, const std::filesystem::path& cgroup_dir);

// Workload metric names of counters: "memcg.oom_kill" -> "memcg-oom-kill".
std::string counter_metric_name(std::string counter_key);

// Counters at construction; delta() is what happened since.
class RunCounters {
 public:
  RunCounters(const system::SystemRoot& system, std::filesystem::path cgroup_dir);
  CounterMap delta() const;

 private:
  const system::SystemRoot& system_;
  std::filesystem::path cgroup_dir_;
  CounterMap start_;
};

}  // namespace memharness::workloads
