#pragma once
// Fake system trees for the cgroup and journal tests: a temporary directory used
// as a SystemRoot, with builders for the two cgroup layouts memharness meets
// (hybrid v1 hosts like the development machines, pure v2 VM guests), fake
// processes for the journal's owner checks, and stand-ins for the seams that
// would otherwise kill processes or switch swap on the machine running the tests.
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"

namespace memharness::system::testing {

inline std::filesystem::path fixture_dir() { return MEMHARNESS_FIXTURE_DIR; }
inline std::filesystem::path kernel_fixture(std::string_view version) { return fixture_dir() / "kernels" / version; }

// "6.12" -> "linux_6_12", for value-parameterised tests over captured kernels.
inline std::string kernel_test_name(const ::testing::TestParamInfo<const char*>& param) {
  std::string name = param.param;
  std::replace(name.begin(), name.end(), '.', '_');
  return "linux_" + name;
}

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::uint64_t kOwnStartTicks = 4242;

// A temporary directory holding proc/, sys/ ... Removed by the destructor. The
// test process itself is registered as running (proc/<pid>/stat), as the
// journal needs.
class FakeSystem {
 public:
  FakeSystem() {
    std::string pattern = (std::filesystem::temp_directory_path() / "memharness-system-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    add_process(::getpid(), kOwnStartTicks, {"memharness", "run", "unit-test"});
  }
  ~FakeSystem() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  FakeSystem(const FakeSystem&) = delete;
  FakeSystem& operator=(const FakeSystem&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  SystemRoot root() const { return SystemRoot(dir_); }
  std::filesystem::path path(std::string_view absolute) const { return root().resolve(absolute); }
  // A directory beside the tree for journals and swapfiles.
  std::filesystem::path state_dir() const { return dir_ / "state"; }

  void write(std::string_view absolute, std::string_view content) const {
    auto file = path(absolute);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  std::string read(std::string_view absolute) const { return read_text(path(absolute)); }
  bool exists(std::string_view absolute) const { return std::filesystem::exists(path(absolute)); }
  void mkdir(std::string_view absolute) const { std::filesystem::create_directories(path(absolute)); }
  // Copies a captured file or directory into the tree.
  void copy(const std::filesystem::path& from, std::string_view absolute) const {
    std::filesystem::create_directories(path(absolute).parent_path());
    std::filesystem::copy(from, path(absolute), std::filesystem::copy_options::recursive);
  }

  // /proc/<pid>/stat with `start_ticks` in field 22, and /proc/<pid>/cmdline.
  void add_process(pid_t pid, std::uint64_t start_ticks, const std::vector<std::string>& argv = {"memharness"},
                   char state = 'S') const {
    write(fmt::format("/proc/{}/stat", pid),
          fmt::format("{} (mem harness) {} 1 {} {} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {} 123456 100\n", pid, state,
                      pid, pid, start_ticks));
    std::string cmdline;
    for (const auto& arg : argv) cmdline += arg + '\0';
    write(fmt::format("/proc/{}/cmdline", pid), cmdline);
  }

 private:
  std::filesystem::path dir_;
};

// Like the development machines: cgroup v1 memory at /sys/fs/cgroup/memory
// (own cgroup `own`), a v2 hierarchy at /sys/fs/cgroup/unified without memory.
inline void make_hybrid_v1_host(const FakeSystem& fake, const std::string& own = "/process_api/abc123") {
  fake.write("/proc/mounts",
             "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
             "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
             "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
             "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
             "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n"
             "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n");
  fake.write("/proc/self/cgroup", fmt::format("9:name=systemd:/\n8:pids:/\n4:memory:{}\n1:cpu:/\n0::/\n", own));
  fake.write("/sys/fs/cgroup/unified/cgroup.controllers", "\n");
  fake.mkdir("/sys/fs/cgroup/memory" + own);
  fake.write("/sys/fs/cgroup/memory" + own + "/memory.use_hierarchy", "1\n");
}

// Like the VM guests: pure cgroup v2 at /sys/fs/cgroup, the harness in `own`.
inline void make_pure_v2_guest(const FakeSystem& fake, const std::string& own = "/") {
  fake.write("/proc/mounts",
             "proc /proc proc rw,relatime 0 0\n"
             "sysfs /sys sysfs rw,relatime 0 0\n"
             "cgroup2 /sys/fs/cgroup cgroup2 rw,relatime 0 0\n");
  fake.write("/proc/self/cgroup", fmt::format("0::{}\n", own));
  fake.write("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  fake.write("/sys/fs/cgroup/cgroup.subtree_control", "\n");
  if (own != "/") {
    fake.write("/sys/fs/cgroup" + own + "/cgroup.controllers", "cpu io memory pids\n");
    fake.write("/sys/fs/cgroup" + own + "/cgroup.subtree_control", "\n");
  }
}

// The files a kernel makes in a new memory cgroup, with fresh values.
inline void populate_v1_cgroup(const FakeSystem& fake, const std::string& cgroup) {
  constexpr std::string_view unlimited = "9223372036854771712\n";
  for (const char* file : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes"})
    fake.write(cgroup + "/" + file, unlimited);
  fake.write(cgroup + "/memory.use_hierarchy", "1\n");
  fake.write(cgroup + "/cgroup.procs", "");
}
inline void populate_v2_cgroup(const FakeSystem& fake, const std::string& cgroup) {
  for (const char* file : {"memory.max", "memory.high", "memory.swap.max"}) fake.write(cgroup + "/" + file, "max\n");
  for (const char* file : {"memory.low", "memory.min"}) fake.write(cgroup + "/" + file, "0\n");
  fake.write(cgroup + "/cgroup.procs", "");
}

// "Kills" by deleting the pid from the fake cgroup.procs, as the kernel would
// once the process is gone; remembers whom. `immortal` pids stay listed.
struct FakeKiller {
  std::vector<pid_t> killed;
  std::set<pid_t> immortal;

  ProcessKiller killer() {
    return [this](pid_t pid, const std::filesystem::path& procs_file) {
      killed.push_back(pid);
      if (immortal.contains(pid)) return;
      std::istringstream in(read_text(procs_file));
      std::string left;
      for (pid_t listed = 0; in >> listed;)
        if (listed != pid) left += std::to_string(listed) + "\n";
      std::ofstream(procs_file, std::ios::trunc) << left;
    };
  }
};

// Records the swap calls instead of making them; swapoff answers by `active`.
class FakeSwapControl final : public SwapControl {
 public:
  std::vector<std::string> calls;  // "mkswap <file>", "swapon <file>", "swapoff <file>"
  std::set<std::string> active;
  bool fail_swapon = false;

  void mkswap(const std::filesystem::path& file) override { calls.push_back("mkswap " + file.string()); }
  void swapon(const std::filesystem::path& file) override {
    calls.push_back("swapon " + file.string());
    if (fail_swapon) throw std::runtime_error("swapon: Invalid argument");
    active.insert(file.string());
  }
  bool swapoff(const std::filesystem::path& file) override {
    calls.push_back("swapoff " + file.string());
    return active.erase(file.string()) > 0;
  }
};

}  // namespace memharness::system::testing
