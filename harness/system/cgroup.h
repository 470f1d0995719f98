#pragma once
// Memory cgroups on cgroup v1 and v2: finding the harness's own memory cgroup,
// creating test cgroups below it (journaled), applying limits and reading their
// counters under one set of names, killing their processes and removing them.
//
// Paths called "absolute" here are system paths ("/sys/fs/cgroup/memory/...");
// every file access resolves them through the SystemRoot, so all of this runs on
// fake trees. Killing goes through a ProcessKiller, which tests replace.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/common/counters.h"
#include "harness/system/system_root.h"

namespace memharness::system {

class Journal;

enum class CgroupVersion { v1, v2 };

std::string_view to_string(CgroupVersion version);

struct MemoryController {
  CgroupVersion version = CgroupVersion::v2;
  std::string mount_point;  // "/sys/fs/cgroup/memory" (v1), "/sys/fs/cgroup" (v2)
  // The harness's own memory cgroup relative to the mount, as /proc/self/cgroup
  // shows it: "/" for the root, otherwise "/a/b" (leading '/', no trailing one).
  std::string own_path;

  // mount_point + own_path: the absolute path of the harness's own cgroup.
  std::string own_cgroup() const;
};

// Reads /proc/self/cgroup and /proc/mounts (through `root`) and returns where the
// memory controller is and which cgroup the harness sits in. Throws
// Error(environment) when no memory controller is mounted, or the harness's
// cgroup is not visible below the mount (e.g. a container without a cgroup
// namespace).
MemoryController find_memory_controller(const SystemRoot& root);

// Bytes; nullopt leaves the kernel's default ("max", or 0 for low/min).
struct MemoryLimits {
  std::optional<std::int64_t> max{};
  std::optional<std::int64_t> high{};
  std::optional<std::int64_t> low{};
  std::optional<std::int64_t> min{};
  std::optional<std::int64_t> swap_max{};
};

// Throws Error(environment) when the controller cannot express `limits` (v1 has
// no memory.high or memory.min; its swap limit needs swap accounting), so a run
// can refuse before it creates anything.
void check_limits_supported(const SystemRoot& root, const MemoryController& controller, const MemoryLimits& limits);

// Sends SIGKILL to `pid` if, once the process is pinned (pidfd), it is still
// listed in `procs_file` (the resolved cgroup.procs path): a pid read from
// cgroup.procs may have exited and been reused by an unrelated process since.
// Returns normally when the process is already gone.
using ProcessKiller = std::function<void(pid_t pid, const std::filesystem::path& procs_file)>;

// The real killer (pidfd_open + membership check + pidfd_send_signal).
ProcessKiller real_process_killer();
// `killer` if set; otherwise the real one for a live root, and for a fake tree a
// killer that throws (a fake tree's pids are not ours to signal).
ProcessKiller killer_for(const SystemRoot& root, ProcessKiller killer);

// Pids listed in <cgroup>/cgroup.procs; empty when the cgroup no longer exists.
std::vector<pid_t> cgroup_pids(const SystemRoot& root, std::string_view cgroup);

// Empties a cgroup of processes: writes cgroup.kill where it exists (v2, 5.14+),
// and SIGKILLs (through `killer`) every pid still in cgroup.procs until none is
// left. Throws Error(run_failed) naming the survivors after `timeout`.
// Does nothing when the cgroup does not exist.
void kill_cgroup_processes(const SystemRoot& root, std::string_view cgroup, const ProcessKiller& killer,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Removes a cgroup and any child cgroups below it (deepest first), retrying rmdir
// for up to `timeout` while the kernel still counts exiting tasks (EBUSY). On a
// fake tree the directories are ordinary ones and are removed with their files.
// Does nothing when it does not exist; throws Error(run_failed) when it stays.
void remove_cgroup_directory(const SystemRoot& root, std::string_view cgroup,
                             std::chrono::milliseconds timeout = std::chrono::seconds(2));

// One memory cgroup. Counter names are normalised across versions (see
// memory_stat() and memory_events()). A cgroup made by create_memory_cgroup is
// owned: its destructor kills its processes and removes it unless remove()
// already did (errors are left to the journal, whose entry is the backstop). One
// wrapped by open_memory_cgroup is not owned and is left as it is.
class MemoryCgroup {
 public:
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;
  virtual ~MemoryCgroup();

  // Absolute cgroupfs path, e.g. /sys/fs/cgroup/memory/<own>/memharness-1234-1.
  const std::string& path() const noexcept { return path_; }
  virtual CgroupVersion version() const noexcept = 0;

  // Writes the limits that are set; keys left nullopt are not touched. All keys
  // are checked before anything is written, so an error leaves no half-applied
  // limits. Throws Error(environment) for a limit this cgroup cannot express.
  virtual void apply_limits(const MemoryLimits& limits) = 0;

  // Absolute path of the file a child writes its pid into ("<path>/cgroup.procs"
  // on both versions); resolve it through the SystemRoot before opening.
  std::string procs_file() const { return path_ + "/cgroup.procs"; }
  std::vector<pid_t> pids() const { return cgroup_pids(root_, path_); }

  // memory.stat with version-independent names (the table is in cgroup_v1.cpp).
  virtual CounterMap memory_stat() const = 0;
  // Limit events: "max" (the limit was hit), "oom_kill", and per version
  // v2: low, high, oom, oom_group_kill; v1: under_oom (a gauge), memsw_max.
  // On v1 a charge meets the memsw limit first when both limits are equal
  // (swap_max 0), and 6.18 then counts the hit in neither failcnt (observed):
  // there, oom_kill is the evidence.
  virtual CounterMap memory_events() const = 0;
  // Current charge in bytes; nullopt when it cannot be read (cgroup removed).
  virtual std::optional<std::int64_t> usage_bytes() const = 0;
  // Highest charge since creation; nullopt where the kernel has no such file
  // (v2 before 5.19).
  virtual std::optional<std::int64_t> peak_bytes() const = 0;
  // Raw memory.pressure text (v2 with PSI); nullopt on v1 or without PSI.
  virtual std::optional<std::string> pressure() const = 0;

  // SIGKILLs every process in the cgroup and waits (bounded) until it is empty;
  // Error(run_failed) naming the survivors after `timeout`.
  void kill_all(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Removes the (empty) cgroup; kill_all() first when it may have processes.
  void remove();

 protected:
  MemoryCgroup(const SystemRoot& root, std::string path, ProcessKiller killer, bool owned);

  // Reads one file of this cgroup ("memory.stat") through the root.
  std::string read_file(std::string_view name) const;
  std::optional<std::string> try_read_file(std::string_view name) const;
  // Files holding one number; try_: nullopt when the file cannot be read.
  std::int64_t read_int(std::string_view name) const;
  std::optional<std::int64_t> try_read_int(std::string_view name) const;
  bool has_file(std::string_view name) const;
  void write_file(std::string_view name, std::string_view value) const;

  SystemRoot root_;
  std::string path_;
  ProcessKiller killer_;
  bool owned_;
  bool removed_ = false;
};

// Wraps an existing memory cgroup at `absolute_path`, not owned: nothing is
// created, journaled or removed unless asked. `killer` as for killer_for().
std::unique_ptr<MemoryCgroup> open_memory_cgroup(const SystemRoot& root, CgroupVersion version,
                                                 std::string absolute_path, ProcessKiller killer = {});

// Creates the memory cgroup `name` below the harness's own cgroup. The creation
// is journaled before the mkdir; on v2 the memory controller is first enabled in
// the own cgroup's cgroup.subtree_control when it is not yet (a journaled write).
// Throws Error(environment) when the cgroup exists already or cannot be made.
std::unique_ptr<MemoryCgroup> create_memory_cgroup(const SystemRoot& root, const MemoryController& controller,
                                                   const std::string& name, Journal& journal,
                                                   ProcessKiller killer = {});

// memory.stat text -> normalised counters (exposed for fixture tests and for
// re-reading stored raw files).
CounterMap normalise_v1_memory_stat(std::string_view text, std::string_view source = "memory.stat");
CounterMap normalise_v2_memory_stat(std::string_view text, std::string_view source = "memory.stat");

// "key value" lines (memory.events, memory.stat, memory.oom_control ...).
// Throws Error(environment) naming `source` and the line for a malformed line
// or a repeated name.
CounterMap parse_flat_keyed(std::string_view text, std::string_view source);

}  // namespace memharness::system
