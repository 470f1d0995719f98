#pragma once
// What a killed (or otherwise ended) memharness run may leave on the machine,
// found by its pid: its processes (the harness's descendants and the members of
// its test cgroups), its cgroups, tracefs instances, scratch directories and
// swapfile, its journal; and the global knobs a run changes, to compare before
// and after.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness_process.h"

namespace memharness::testing {

// Where the quick configs (and the tests' own configs) put their scratch
// directories and swapfiles.
inline const std::filesystem::path kScratchParent = "/var/tmp";
// How long a run's processes may take to end after the harness did: a killed
// dd can sit in D state until its writeback is done (5-16 s seen).
inline constexpr std::chrono::seconds kProcessExitLimit{30};

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

// Adds to `seen` the processes of the run of `harness` not in it yet.
void note_processes_of_run(pid_t harness, const std::string& own_memory_cgroup, std::vector<ProcessIdentity>& seen);

// Waits for `harness` to exit, adding to `seen` every process of its run found
// meanwhile (every 100 ms): its descendants can be found only while it lives.
CommandResult wait_noting_processes(RunningHarness& harness, const std::string& own_memory_cgroup,
                                    std::vector<ProcessIdentity>& seen);

// "\n  PID COMMAND" for each, for messages.
std::string describe(const std::vector<ProcessIdentity>& processes);

// The processes of `processes` still running after waiting up to `limit` for them to end.
std::vector<ProcessIdentity> survivors(const std::vector<ProcessIdentity>& processes, std::chrono::seconds limit);

// Paths left by the run of `harness`: cgroups memharness-<pid>-* below
// `own_memory_cgroup`, tracefs instances memharness-<pid>*, scratch
// directories memharness-*-<pid>-* and the swapfile memharness-swap-<pid> in
// `scratch_parent`, and that swapfile in /proc/swaps.
std::vector<std::string> leftovers_of_run(pid_t harness, const std::string& own_memory_cgroup,
                                          const std::filesystem::path& scratch_parent);

// The processes with `file` open ("\n  PID COMMAND" each, empty when none): who
// holds the state lock when a run or restore is refused.
std::string holders_of(const std::filesystem::path& file);

// Journals (journal-*) in a state directory: each is a run not yet restored.
int journals_in(const std::filesystem::path& state_dir);

// Whether a file or directory named `name` is anywhere below `root`.
bool file_named_below(const std::filesystem::path& root, const std::string& name);

// The global knobs memharness runs change: sysctls under /proc/sys/vm that a
// config or a workload sets, the THP and hugetlb knobs, /proc/swaps, and where
// tracefs and debugfs are mounted (a run mounts tracefs when it is not).
std::map<std::string, std::string> global_knobs();

// "name: before -> after" for every knob that differs.
std::vector<std::string> knob_differences(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after);

}  // namespace memharness::testing
