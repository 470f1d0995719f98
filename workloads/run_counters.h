#pragma once
// Kernel counters a workload reports for its own run (OOM kills, pages swapped
// in and out): system-wide from /proc/vmstat and, where the kernel has them,
// the test cgroup's own (MemoryCgroup's memory_events() oom_kill, v1 and v2;
// memory_stat() pswpin/pswpout, v2 only). The iteration records the same
// deltas for the whole iteration; these cover just the workload's run, so a
// mix can judge itself.
#include <string>

#include "harness/common/counters.h"
#include "harness/system/cgroup.h"
#include "harness/system/system_root.h"

namespace memharness::workloads {

// "vmstat.oom_kill", "vmstat.pswpin", "vmstat.pswpout" and, when `cgroup` is
// given and has them, "memcg.oom_kill", "memcg.pswpin", "memcg.pswpout", read now.
CounterMap read_run_counters(const system::SystemRoot& system, const system::MemoryCgroup* cgroup);

// Workload metric names of counters: "memcg.oom_kill" -> "memcg-oom-kill".
std::string counter_metric_name(std::string counter_key);

// Counters at construction; delta() is what happened since.
class RunCounters {
 public:
  RunCounters(const system::SystemRoot& system, const system::MemoryCgroup* cgroup);
  CounterMap delta() const;

 private:
  const system::SystemRoot& system_;
  const system::MemoryCgroup* cgroup_;
  CounterMap start_;
};

}  // namespace memharness::workloads
