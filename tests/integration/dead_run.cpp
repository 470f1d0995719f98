#include "dead_run.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

namespace memharness::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Stat {
  char state = '?';
  pid_t parent = 0;
  std::uint64_t start_ticks = 0;
};

// /proc/<pid>/stat: fields after the last ')' (comm may hold anything).
std::optional<Stat> read_stat(pid_t pid) {
  std::string text = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  Stat stat;
  std::string field;
  fields >> stat.state >> stat.parent;
  for (int i = 5; i <= 21 && fields >> field; ++i) {
  }
  if (!(fields >> stat.start_ticks)) return std::nullopt;
  return stat;
}

std::string command_of(pid_t pid) {
  std::string cmdline = slurp("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  return cmdline;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

std::vector<fs::path> run_cgroups(pid_t harness, const std::string& own_memory_cgroup) {
  std::vector<fs::path> found;
  std::error_code ec;
  const std::string prefix = "memharness-" + std::to_string(harness) + "-";
  for (const auto& entry : fs::directory_iterator(own_memory_cgroup, ec))
    if (entry.path().filename().string().starts_with(prefix) && entry.is_directory(ec)) found.push_back(entry.path());
  return found;
}

}  // namespace

bool still_running(const ProcessIdentity& process) {
  auto stat = read_stat(process.pid);
  return stat && stat->start_ticks == process.start_ticks && stat->state != 'Z' && stat->state != 'X';
}

std::vector<ProcessIdentity> processes_of_run(pid_t harness, const std::string& own_memory_cgroup) {
  std::map<pid_t, Stat> stats;
  for (pid_t pid : all_pids())
    if (auto stat = read_stat(pid)) stats[pid] = *stat;
  std::vector<ProcessIdentity> found;
  auto add = [&](pid_t pid) {
    auto it = stats.find(pid);
    if (it == stats.end() || it->second.state == 'Z') return;
    if (std::any_of(found.begin(), found.end(), [pid](const ProcessIdentity& p) { return p.pid == pid; })) return;
    found.push_back({pid, it->second.start_ticks, command_of(pid)});
  };
  for (const auto& [pid, stat] : stats) {
    for (pid_t ancestor = stat.parent; ancestor > 1;) {
      if (ancestor == harness) {
        add(pid);
        break;
      }
      auto up = stats.find(ancestor);
      if (up == stats.end()) break;
      ancestor = up->second.parent;
    }
  }
  for (const auto& cgroup : run_cgroups(harness, own_memory_cgroup)) {
    std::istringstream procs(slurp(cgroup / "cgroup.procs"));
    for (pid_t pid; procs >> pid;) add(pid);
  }
  return found;
}

void note_processes_of_run(pid_t harness, const std::string& own_memory_cgroup, std::vector<ProcessIdentity>& seen) {
  for (const auto& p : processes_of_run(harness, own_memory_cgroup))
    if (std::none_of(seen.begin(), seen.end(),
                     [&p](const ProcessIdentity& s) { return s.pid == p.pid && s.start_ticks == p.start_ticks; }))
      seen.push_back(p);
}

CommandResult wait_noting_processes(RunningHarness& harness, const std::string& own_memory_cgroup,
                                    std::vector<ProcessIdentity>& seen) {
  for (;;) {
    note_processes_of_run(harness.pid, own_memory_cgroup, seen);
    if (auto result = harness.poll()) return *result;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string describe(const std::vector<ProcessIdentity>& processes) {
  std::string text;
  for (const auto& p : processes) text += "\n  " + std::to_string(p.pid) + " " + p.command;
  return text;
}

std::vector<ProcessIdentity> survivors(const std::vector<ProcessIdentity>& processes, std::chrono::seconds limit) {
  std::vector<ProcessIdentity> alive;
  for (auto until = std::chrono::steady_clock::now() + limit;;) {
    alive.clear();
    for (const auto& p : processes)
      if (still_running(p)) alive.push_back(p);
    if (alive.empty() || std::chrono::steady_clock::now() >= until) return alive;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::vector<std::string> leftovers_of_run(pid_t harness, const std::string& own_memory_cgroup,
                                          const fs::path& scratch_parent) {
  std::vector<std::string> left;
  const std::string pid = std::to_string(harness);
  for (const auto& cgroup : run_cgroups(harness, own_memory_cgroup)) left.push_back("cgroup " + cgroup.string());
  std::error_code ec;
  for (const char* instances : {"/sys/kernel/tracing/instances", "/sys/kernel/debug/tracing/instances"})
    for (const auto& entry : fs::directory_iterator(instances, ec)) {
      auto name = entry.path().filename().string();
      if (name == "memharness-" + pid || name.starts_with("memharness-" + pid + "-"))
        left.push_back("tracefs instance " + entry.path().string());
    }
  for (const auto& entry : fs::directory_iterator(scratch_parent, ec)) {
    auto name = entry.path().filename().string();
    if (name == "memharness-swap-" + pid ||
        (name.starts_with("memharness-") && name.find("-" + pid + "-") != std::string::npos))
      left.push_back("scratch " + entry.path().string());
  }
  if (slurp("/proc/swaps").find("memharness-swap-" + pid) != std::string::npos)
    left.push_back("swap memharness-swap-" + pid + " still on");
  return left;
}

std::string holders_of(const fs::path& file) {
  std::vector<ProcessIdentity> holders;
  std::error_code ec;
  const auto target = fs::weakly_canonical(file, ec);
  for (pid_t pid : all_pids()) {
    const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
    for (auto it = fs::directory_iterator(fds, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code link_ec;
      if (fs::read_symlink(it->path(), link_ec) == target) {
        auto stat = read_stat(pid);
        holders.push_back({pid, stat ? stat->start_ticks : 0, command_of(pid)});
        break;
      }
    }
    ec.clear();
  }
  return describe(holders);
}

int journals_in(const fs::path& state_dir) {
  int journals = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_dir, ec))
    if (entry.path().filename().string().starts_with("journal-")) ++journals;
  return journals;
}

bool file_named_below(const fs::path& root, const std::string& name) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->path().filename() == name) return true;
  return false;
}

std::map<std::string, std::string> global_knobs() {
  std::map<std::string, std::string> knobs;
  for (const char* path :
       {"/proc/sys/vm/swappiness", "/proc/sys/vm/nr_hugepages", "/proc/sys/vm/dirty_ratio", "/proc/sys/vm/dirty_bytes",
        "/proc/sys/vm/dirty_background_ratio", "/proc/sys/vm/dirty_background_bytes", "/proc/sys/vm/overcommit_memory",
        "/proc/sys/vm/min_free_kbytes", "/proc/sys/vm/watermark_scale_factor", "/proc/sys/vm/compaction_proactiveness",
        "/sys/kernel/mm/transparent_hugepage/enabled", "/sys/kernel/mm/transparent_hugepage/defrag",
        "/sys/kernel/mm/transparent_hugepage/khugepaged/defrag"}) {
    std::error_code ec;
    if (fs::exists(path, ec)) knobs[path] = slurp(path);
  }
  // Swap areas by name only: their usage changes with every load.
  std::istringstream swaps(slurp("/proc/swaps"));
  std::string line, names;
  std::getline(swaps, line);  // header
  while (std::getline(swaps, line)) names += line.substr(0, line.find_first_of(" \t")) + "\n";
  knobs["/proc/swaps"] = names;
  // Mount points of tracefs and debugfs (fields: device, mount point, type ...).
  std::istringstream mounts(slurp("/proc/self/mounts"));
  std::string mounted;
  for (std::string device, point, type, rest; mounts >> device >> point >> type && std::getline(mounts, rest);)
    if (type == "tracefs" || type == "debugfs") mounted += type + " " + point + "\n";
  knobs["/proc/self/mounts (tracefs, debugfs)"] = mounted;
  return knobs;
}

std::vector<std::string> knob_differences(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after) {
  std::vector<std::string> differences;
  for (const auto& [name, value] : before) {
    auto it = after.find(name);
    std::string now = it == after.end() ? "(gone)" : it->second;
    if (now != value) differences.push_back(name + ": " + value + " -> " + now);
  }
  return differences;
}

}  // namespace memharness::testing
