#include "harness/runner/machine_info.h"

#include <chrono>

#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/system/process.h"
#include "harness/system/procfs/meminfo.h"
#include "harness/system/system_root.h"

namespace memharness::runner {

namespace {
// Sysctls that change reclaim, compaction or writeback behaviour: recorded so two
// runs that differ in them are told apart.
constexpr const char* kRelevantSysctls[] = {
    "vm.swappiness",
    "vm.dirty_ratio",
    "vm.dirty_background_ratio",
    "vm.dirty_bytes",
    "vm.dirty_background_bytes",
    "vm.dirty_expire_centisecs",
    "vm.dirty_writeback_centisecs",
    "vm.min_free_kbytes",
    "vm.watermark_scale_factor",
    "vm.watermark_boost_factor",
    "vm.compaction_proactiveness",
    "vm.extfrag_threshold",
    "vm.zone_reclaim_mode",
    "vm.overcommit_memory",
    "vm.vfs_cache_pressure",
    "vm.page-cluster",
    "vm.nr_hugepages",
    "vm.nr_overcommit_hugepages",
    "vm.laptop_mode",
    "kernel.numa_balancing",
};

std::string sysctl_path(std::string name) {
  for (char& c : name)
    if (c == '.') c = '/';
  return "/proc/sys/" + name;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}
}  // namespace

namespace {
config::HostFacts host_facts_from(const CounterMap& meminfo) {
  config::HostFacts facts;
  facts.mem_total_bytes = meminfo.count("MemTotal") ? meminfo.at("MemTotal") : 0;
  facts.swap_total_bytes = meminfo.count("SwapTotal") ? meminfo.at("SwapTotal") : 0;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  facts.cpus = cpus > 0 ? static_cast<int>(cpus) : 1;
  return facts;
}
}  // namespace

config::HostFacts read_host_facts(const system::SystemRoot& system) {
  return host_facts_from(system::procfs::parse_meminfo(system.read("/proc/meminfo")));
}

nlohmann::json describe_machine(const system::SystemRoot& system) {
  nlohmann::json machine;
  auto value = [&](const char* path) -> nlohmann::json {
    if (auto text = system.try_read(path)) return trimmed(*text);
    return nullptr;
  };
  machine["kernel"] = {
      {"release", value("/proc/sys/kernel/osrelease")},
      {"version", value("/proc/sys/kernel/version")},
      {"cmdline", value("/proc/cmdline")},
  };
  auto meminfo = system::procfs::parse_meminfo(system.read("/proc/meminfo"));
  auto facts = host_facts_from(meminfo);
  machine["cpus"] = facts.cpus;
  machine["mem_total_bytes"] = facts.mem_total_bytes;
  machine["swap_total_bytes"] = facts.swap_total_bytes;
  machine["swaps"] = value("/proc/swaps");
  machine["thp"] = {
      {"enabled", value("/sys/kernel/mm/transparent_hugepage/enabled")},
      {"defrag", value("/sys/kernel/mm/transparent_hugepage/defrag")},
      {"shmem_enabled", value("/sys/kernel/mm/transparent_hugepage/shmem_enabled")},
      {"khugepaged_defrag", value("/sys/kernel/mm/transparent_hugepage/khugepaged/defrag")},
  };
  nlohmann::json hugepages = nlohmann::json::object();
  for (const char* key : {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize"})
    if (meminfo.count(key)) hugepages[key] = meminfo.at(key);
  machine["hugepages"] = hugepages;
  nlohmann::json sysctls = nlohmann::json::object();
  for (const char* name : kRelevantSysctls) sysctls[name] = value(sysctl_path(name).c_str());
  machine["sysctls"] = sysctls;
  return machine;
}

std::string program_version(const std::string& program) {
  // argv, never a shell: `program` reaches exec as one word. Its output goes to
  // a file in a private directory, and a program that hangs is killed.
  try {
    TemporaryDirectory scratch("memharness-version-");
    system::SpawnOptions options;
    options.argv = {program, "--version"};
    options.log_file = scratch.path() / "version.log";
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    if (!system::run_process(options).exited_zero()) return "";
    auto output = read_file_text(options.log_file);
    return trimmed(output.substr(0, output.find('\n')));
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace memharness::runner
