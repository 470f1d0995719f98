// What v1 and v2 memory cgroups share: membership, killing, removal, creation.
#include "harness/system/cgroup.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "harness/common/error.h"
#include "harness/system/cgroup_impl.h"
#include "harness/system/journal.h"
#include "harness/system/procfs/text.h"
#include "harness/system/procfs/vmstat.h"

namespace memharness::system {

namespace {

namespace text = procfs::text;
using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::vector<pid_t> parse_pids(std::string_view procs_text, std::string_view source) {
  std::vector<pid_t> pids;
  for (const auto& line : text::lines(procs_text)) {
    auto fields = text::fields(line.content);
    if (fields.empty()) continue;
    auto pid = text::to_count(fields[0]);
    if (!pid || fields.size() != 1) throw text::parse_error(source, line.number, "expected one pid per line");
    pids.push_back(static_cast<pid_t>(*pid));
  }
  return pids;
}

std::string_view trim_newlines(std::string_view value_text) {
  while (value_text.ends_with('\n')) value_text.remove_suffix(1);
  return value_text;
}

std::int64_t parse_one_number(std::string_view source, std::string_view value_text) {
  auto fields = text::fields(trim_newlines(value_text));
  auto value = fields.size() == 1 ? text::to_int64(fields[0]) : std::nullopt;
  if (!value) throw environment_error("{}: expected one number, read \"{}\"", source, value_text);
  return *value;
}

bool listed_in(pid_t pid, const std::filesystem::path& procs_file) {
  std::ifstream in(procs_file);
  for (long listed = 0; in >> listed;)
    if (listed == pid) return true;
  return false;
}

bool has_word(std::string_view list, std::string_view word) {
  auto words = text::fields(trim_newlines(list));
  return std::find(words.begin(), words.end(), word) != words.end();
}

Error no_internal_processes_error(std::string_view parent, std::string_view detail) {
  return environment_error(
      "cannot enable the memory controller for test cgroups below {}: cgroup v2's \"no internal processes\" "
      "rule lets a non-root cgroup either hold processes or pass controllers on to child cgroups, and {} holds "
      "other processes besides memharness{}. Give memharness a delegated cgroup of its own: "
      "`systemd-run --scope -p Delegate=yes memharness ...` (or run it from the root cgroup, as the VM guests do)",
      parent, parent, detail);
}

// Checked before journaling a cgroup: the journal entry means "ours, remove at
// restore", which must never be said of a cgroup someone else made.
void require_new_cgroup(const SystemRoot& root, const std::string& path) {
  if (root.exists(path))
    throw environment_error(
        "cgroup {} exists already (left behind by an earlier run? `memharness restore` undoes what a crashed "
        "run left)",
        path);
}

void make_cgroup_directory(const SystemRoot& root, const std::string& path) {
  if (::mkdir(root.resolve(path).c_str(), 0755) != 0)
    throw environment_error("cannot create cgroup {}: {}", path, std::strerror(errno));
}

// A cgroup of the harness's own, as `systemd-run --scope -p Delegate=yes` gives
// it: the harness moves itself into a leaf below it (journaled: restore moves
// it back), which lets the cgroup pass the memory controller on to the test
// cgroups created beside that leaf.
void move_harness_into_leaf(const SystemRoot& root, const std::string& parent, Journal& journal) {
  std::string leaf = fmt::format("{}/memharness-{}-harness", parent, ::getpid());
  require_new_cgroup(root, leaf);
  journal.record_harness_cgroup(leaf, parent);
  make_cgroup_directory(root, leaf);
  root.write(leaf + "/cgroup.procs", std::to_string(::getpid()));
}

// v2 only: the test cgroup gets memory.* files only when its parent passes the
// memory controller on (cgroup.subtree_control), which may need a journaled write.
void enable_memory_controller(const SystemRoot& root, const MemoryController& controller, Journal& journal) {
  std::string parent = controller.own_cgroup();
  std::string subtree_control = parent + "/cgroup.subtree_control";
  if (has_word(root.read(subtree_control), "memory")) return;
  bool is_root = controller.own_path == "/";
  if (!is_root) {
    if (!has_word(root.read(parent + "/cgroup.controllers"), "memory"))
      throw environment_error(
          "the memory controller is not available in the harness's cgroup {}: its parent does not list memory "
          "in cgroup.subtree_control",
          parent);
    auto pids = cgroup_pids(root, parent);
    if (pids == std::vector<pid_t>{::getpid()}) {
      move_harness_into_leaf(root, parent, journal);
    } else if (!pids.empty()) {
      throw no_internal_processes_error(parent, "");
    }
  }
  try {
    journal.write_value(subtree_control, "+memory");
  } catch (const Error& e) {
    if (is_root) throw;
    throw no_internal_processes_error(parent, fmt::format(" (the kernel said: {})", e.what()));
  }
}

void check_cgroup_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw std::invalid_argument(fmt::format("invalid cgroup name \"{}\": must be one path component", name));
}

}  // namespace

// ------------------------------------------------------------------ killing

ProcessKiller real_process_killer() {
  return [](pid_t pid, const std::filesystem::path& procs_file) {
    // The pidfd pins the process: once it is open the pid cannot be reused, so the
    // membership check below is about the very process the signal will reach.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0 && errno == ESRCH) return;
    if (pidfd < 0 && errno != ENOSYS)
      throw run_error("cannot open a pidfd for process {} to kill it: {}", pid, std::strerror(errno));
    int result = 0;
    if (listed_in(pid, procs_file))
      result = pidfd >= 0 ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0))
                          : ::kill(pid, SIGKILL);  // kernels before 5.3: no pidfd, a small reuse window
    int saved_errno = errno;
    if (pidfd >= 0) ::close(pidfd);
    if (result != 0 && saved_errno != ESRCH)
      throw run_error("cannot kill process {}: {}", pid, std::strerror(saved_errno));
  };
}

ProcessKiller killer_for(const SystemRoot& root, ProcessKiller killer) {
  if (killer) return killer;
  if (root.is_live()) return real_process_killer();
  std::string tree = root.root().string();
  return [tree](pid_t pid, const std::filesystem::path&) {
    throw std::logic_error(fmt::format(
        "refusing to signal process {}: it is listed in a fake tree ({}), give the cgroup a ProcessKiller", pid, tree));
  };
}

std::vector<pid_t> cgroup_pids(const SystemRoot& root, std::string_view cgroup) {
  std::string procs = std::string(cgroup) + "/cgroup.procs";
  auto procs_text = root.try_read(procs);
  if (!procs_text) return {};
  return parse_pids(*procs_text, procs);
}

void kill_cgroup_processes(const SystemRoot& root, std::string_view cgroup, const ProcessKiller& killer,
                           std::chrono::milliseconds timeout) {
  std::string path(cgroup);
  if (!root.exists(path)) return;
  // cgroup.kill (v2, 5.14+) kills every member at once, including ones forked
  // while we would be walking cgroup.procs; the loop below then only waits.
  if (root.exists(path + "/cgroup.kill")) root.write(path + "/cgroup.kill", "1");
  auto procs_file = root.resolve(path + "/cgroup.procs");
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto pids = cgroup_pids(root, path);
    if (pids.empty()) return;
    if (Clock::now() >= deadline)
      throw run_error("processes {} of cgroup {} are still alive {} ms after SIGKILL", fmt::join(pids, ", "), path,
                      timeout.count());
    for (pid_t pid : pids) killer(pid, procs_file);
    std::this_thread::sleep_for(kPollInterval);
  }
}

// ------------------------------------------------------------------ removal

void remove_cgroup_directory(const SystemRoot& root, std::string_view cgroup, std::chrono::milliseconds timeout) {
  std::string path(cgroup);
  auto resolved = root.resolve(path);
  std::error_code ec;
  if (!std::filesystem::is_directory(resolved, ec)) return;
  if (!root.is_live()) {
    std::filesystem::remove_all(resolved, ec);
    if (ec) throw run_error("cannot remove {}: {}", resolved.string(), ec.message());
    return;
  }
  // A cgroupfs directory goes with rmdir even though it lists control files;
  // child cgroups must go first.
  for (const auto& name : root.list(path))
    if (std::filesystem::is_directory(root.resolve(path + "/" + name), ec))
      remove_cgroup_directory(root, path + "/" + name, timeout);
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (::rmdir(resolved.c_str()) == 0 || errno == ENOENT) return;
    // EBUSY right after the last task exited: the kernel still finishes it off.
    if (errno != EBUSY || Clock::now() >= deadline)
      throw run_error("cannot remove cgroup {}: {}", path, std::strerror(errno));
    std::this_thread::sleep_for(kPollInterval);
  }
}

// ------------------------------------------------------------------ MemoryCgroup

MemoryCgroup::MemoryCgroup(const SystemRoot& root, std::string path, ProcessKiller killer, bool owned)
    : root_(root), path_(std::move(path)), killer_(killer_for(root, std::move(killer))), owned_(owned) {}

MemoryCgroup::~MemoryCgroup() {
  if (!owned_ || removed_) return;
  try {
    kill_all();
    remove();
  } catch (const std::exception&) {
    // The journal's cgroup entry undoes this at restore, and reports it there.
  }
}

void MemoryCgroup::kill_all(std::chrono::milliseconds timeout) {
  kill_cgroup_processes(root_, path_, killer_, timeout);
}

void MemoryCgroup::remove() {
  remove_cgroup_directory(root_, path_);
  removed_ = true;
}

std::string MemoryCgroup::read_file(std::string_view name) const {
  return root_.read(fmt::format("{}/{}", path_, name));
}

std::optional<std::string> MemoryCgroup::try_read_file(std::string_view name) const {
  return root_.try_read(fmt::format("{}/{}", path_, name));
}

std::int64_t MemoryCgroup::read_int(std::string_view name) const {
  return parse_one_number(fmt::format("{}/{}", path_, name), read_file(name));
}

std::optional<std::int64_t> MemoryCgroup::try_read_int(std::string_view name) const {
  auto value_text = try_read_file(name);
  if (!value_text) return std::nullopt;
  return parse_one_number(fmt::format("{}/{}", path_, name), *value_text);
}

bool MemoryCgroup::has_file(std::string_view name) const { return root_.exists(fmt::format("{}/{}", path_, name)); }

void MemoryCgroup::write_file(std::string_view name, std::string_view value) const {
  root_.write(fmt::format("{}/{}", path_, name), value);
}

// ------------------------------------------------------------------ factories

std::unique_ptr<MemoryCgroup> open_memory_cgroup(const SystemRoot& root, CgroupVersion version,
                                                 std::string absolute_path, ProcessKiller killer) {
  if (version == CgroupVersion::v1)
    return detail::make_v1_memory_cgroup(root, std::move(absolute_path), std::move(killer), false);
  return detail::make_v2_memory_cgroup(root, std::move(absolute_path), std::move(killer), false);
}

std::unique_ptr<MemoryCgroup> create_memory_cgroup(const SystemRoot& root, const MemoryController& controller,
                                                   const std::string& name, Journal& journal, ProcessKiller killer) {
  check_cgroup_name(name);
  std::string path = controller.own_cgroup() + "/" + name;
  require_new_cgroup(root, path);
  if (controller.version == CgroupVersion::v2) enable_memory_controller(root, controller, journal);
  journal.record_cgroup(path);
  make_cgroup_directory(root, path);
  if (controller.version == CgroupVersion::v1)
    return detail::make_v1_memory_cgroup(root, std::move(path), std::move(killer), true);
  return detail::make_v2_memory_cgroup(root, std::move(path), std::move(killer), true);
}

// ------------------------------------------------------------------ parsing

// The same "name value" format as /proc/vmstat, whose parser checks it.
CounterMap parse_flat_keyed(std::string_view flat_text, std::string_view source) {
  return procfs::parse_vmstat(flat_text, source);
}

void check_limits_supported(const SystemRoot& root, const MemoryController& controller, const MemoryLimits& limits) {
  // v2 has every knob; its files appear only in child cgroups, so there is
  // nothing to look at before one exists.
  if (controller.version == CgroupVersion::v1) detail::check_v1_limits(root, controller.own_cgroup(), limits);
}

}  // namespace memharness::system
