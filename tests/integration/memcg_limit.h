#pragma once
// The most a memory cgroup's usage (and so its recorded peak) can exceed its
// limit. The kernel charges past memory.max when it must: a task being
// OOM-killed or exiting, and __GFP_NOFAIL allocations, take try_charge()'s
// "force" path (mm/memcontrol.c), and each CPU can hold a charge stock of
// MEMCG_CHARGE_BATCH (64) pages. So a peak a few pages above the limit is the
// kernel working as designed, not a bug of the harness; more than this slack is.
#include <unistd.h>

#include <cstdint>

namespace memharness::testing {

inline std::int64_t memcg_peak_allowance(std::int64_t limit_bytes) {
  long cpus = ::sysconf(_SC_NPROCESSORS_CONF);
  if (cpus < 1) cpus = 1;
  constexpr std::int64_t page = 4096, charge_batch_pages = 64, forced_pages = 64;
  return limit_bytes + (charge_batch_pages * cpus + forced_pages) * page;
}

}  // namespace memharness::testing
