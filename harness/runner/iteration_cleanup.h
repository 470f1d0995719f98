#pragma once
// The end of an iteration whose measurements are complete: its test cgroup is
// emptied and removed. A cleanup failure must not throw the iteration away
// (a dd killed while throttled in reclaim sits in D state for 5-16 s on
// cgroup v1, longer than the kill waits): the failure is returned as a
// sentence for the record, and the journal's cgroup entry retries the removal
// when the run restores (with a longer wait).
#include <chrono>
#include <string>

#include "harness/system/cgroup.h"

namespace memharness::runner {

// How long the end of an iteration waits for its killed processes.
constexpr std::chrono::milliseconds kIterationKillTimeout{5000};

// Kills every process of `cgroup` and removes it; returns "" when done, or
// what went wrong as one sentence (never throws for it).
std::string end_iteration_cgroup(system::MemoryCgroup& cgroup,
                                 std::chrono::milliseconds kill_timeout = kIterationKillTimeout);

}  // namespace memharness::runner
