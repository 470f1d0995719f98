#pragma once
// What a killed memharness run may leave on the machine, found by its pid:
// its processes (the harness's descendants and the members of its test
// cgroups), its cgroups, tracefs instances, scratch directories and swapfile;
// and the global knobs a run changes, to compare before and after.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace memharness::testing {

// A process told apart from a later one with the same pid by its start time.
struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;
  std::string command;  // for messages
};

// Whether that very process still runs (a zombie has ended).
bool still_running(const ProcessIdentity& process);

// The harness's descendants now, and every member of the cgroups named
// memharness-<harness>-* below `own_memory_cgroup`.
std::vector<ProcessIdentity> processes_of_run(pid_t harness, const std::string& own_memory_cgroup);

// The processes of `processes` still running after waiting up to `limit` for them to end.
std::vector<ProcessIdentity> survivors(const std::vector<ProcessIdentity>& processes, std::chrono::seconds limit);

// Paths left by the run of `harness`: cgroups memharness-<pid>-* below
// `own_memory_cgroup`, tracefs instances memharness-<pid>*, scratch
// directories memharness-*-<pid>-* and the swapfile memharness-swap-<pid> in
// `scratch_parent`, and that swapfile in /proc/swaps.
std::vector<std::string> leftovers_of_run(pid_t harness, const std::string& own_memory_cgroup,
                                          const std::filesystem::path& scratch_parent);

// The global knobs memharness runs change: sysctls under /proc/sys/vm that a
// config or a workload sets, the THP and hugetlb knobs, and /proc/swaps.
std::map<std::string, std::string> global_knobs();

// "name: before -> after" for every knob that differs.
std::vector<std::string> knob_differences(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after);

}  // namespace memharness::testing
