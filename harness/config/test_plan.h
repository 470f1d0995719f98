#pragma once
// The validated test plan: what the runner executes. Produced from a TOML file by
// load_test_plan(); all sizes are resolved to bytes and all names checked, so
// nothing downstream needs to know about TOML or report config errors.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/parameter.h"

namespace memharness::config {

// Facts of the machine that relative sizes and limits are checked against.
struct HostFacts {
  std::int64_t mem_total_bytes = 0;
  std::int64_t swap_total_bytes = 0;
  int cpus = 1;
};

struct CgroupPlan {
  // Bytes; nullopt: leave the controller's default ("max").
  std::optional<std::int64_t> memory_max;
  std::optional<std::int64_t> memory_high;
  std::optional<std::int64_t> memory_low;
  std::optional<std::int64_t> memory_min;
  std::optional<std::int64_t> swap_max;  // 0 forbids swap for the test cgroup
};

enum class SwapMode {
  host,      // use whatever swap the host has (none is fine)
  none,      // the test cgroup may not swap (swap max 0)
  swapfile,  // the harness creates, enables and afterwards removes a swapfile
};

struct SwapPlan {
  SwapMode mode = SwapMode::host;
  std::int64_t swapfile_bytes = 0;           // swapfile only
  std::filesystem::path swapfile_directory;  // swapfile only; must be on a fs supporting swap
};

struct SysctlSetting {
  std::string name;   // dotted, "vm.swappiness"
  std::string value;  // as written to /proc/sys/...
};

struct WorkloadPlan {
  std::string type;           // registry name, "anon-dirty"
  std::string instance_name;  // unique in the phase; defaults to type (type-2 ... for repeats)
  workloads::ResolvedParams params;
};

struct PhasePlan {
  std::string name;
  std::chrono::nanoseconds timeout{};
  std::vector<WorkloadPlan> workloads;  // run concurrently
};

// [vm]: unset values are the VM target's defaults (2 GiB, 2 CPUs, ...).
// The least a guest can be given, from [vm] or from run's --vm-* options.
inline constexpr std::int64_t min_vm_memory_bytes = 256LL << 20;
inline constexpr std::int64_t min_vm_scratch_bytes = 64LL << 20;
inline constexpr int max_vm_cpus = 256;
inline constexpr std::chrono::seconds min_vm_timeout{10};

struct VmPlan {
  std::optional<std::int64_t> memory_bytes;
  std::optional<int> cpus;
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<std::int64_t> scratch_bytes;
};

// [[kernel]]: what `--kernel NAME=IMAGE,cmdline=...,sysctl=...` says, from the config.
struct KernelPlan {
  std::string name;
  std::filesystem::path image;    // relative paths are relative to the config file
  std::filesystem::path modules;  // empty: beside the image
  std::string cmdline;
  std::vector<SysctlSetting> sysctls;
};

struct TestPlan {
  std::filesystem::path source_file;
  std::string name;
  std::string description;
  int iterations = 1;
  std::chrono::nanoseconds sample_interval{};
  CgroupPlan cgroup;
  SwapPlan swap;
  std::vector<SysctlSetting> sysctls;
  std::vector<PhasePlan> phases;  // in sequence
  VmPlan vm;
  std::vector<KernelPlan> kernels;  // in file order; not part of the config hash
  // The config with every default filled in and sizes resolved, for manifest.json,
  // and a stable hash (hex) of the config as written — resolved against one
  // reference machine, not this one — that compare uses to tell configs apart.
  nlohmann::json resolved;
  std::string config_hash;
};

// Parses, validates and resolves a test config. Throws memharness::Error(usage)
// with a message "FILE:LINE:COL: error: ..." on the first problem.
TestPlan load_test_plan(const std::filesystem::path& file, const HostFacts& host);

// Whether a test argument is a path (it contains '/' or ends in ".toml")
// rather than a name to look up in the config directories.
bool is_test_config_path(std::string_view name_or_path);

// "anon-dirty" -> <dir>/anon-dirty.toml for the first dir holding it; a path
// (is_test_config_path) is taken as given. Throws Error(usage) if not found.
std::filesystem::path resolve_test_config(std::string_view name_or_path,
                                          const std::vector<std::filesystem::path>& config_dirs);

}  // namespace memharness::config
