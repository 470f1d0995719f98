// Memory cgroups on the real kernel (root): a test cgroup below the harness's
// own, created through the journal, a 64 MiB limit that a 128 MiB file writer
// (limit reclaim) and a 100 MiB anonymous toucher (the OOM killer, as the cgroup
// may not swap) run into, counters that show it, kill_all(), and a restore that
// leaves nothing behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"
#include "live_state.h"
#include "memcg_limit.h"
#include "require.h"

namespace memharness::system {
namespace {

constexpr std::int64_t kLimit = 64 << 20;
constexpr std::size_t kTouchBytes = 100 << 20;

// In the child after fork(): only async-signal-safe calls. Joins the cgroup, then
// returns; _exit(100) when it cannot (the test then fails on the exit status).
void join_cgroup(const char* procs_file) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  int fd = ::open(procs_file, O_WRONLY | O_CLOEXEC);
  char pid[16];
  int length = 0;
  for (pid_t p = ::getpid(); p > 0; p /= 10) pid[length++] = static_cast<char>('0' + p % 10);
  for (int i = 0; i < length / 2; ++i) std::swap(pid[i], pid[length - 1 - i]);
  if (fd < 0 || ::write(fd, pid, static_cast<std::size_t>(length)) != length) ::_exit(100);
  ::close(fd);
}

pid_t spawn_in(const std::string& procs_file, void (*body)()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    join_cgroup(procs_file.c_str());
    body();
    ::_exit(0);
  }
  return pid;
}

// Touches 100 MiB of anonymous memory, a few times over.
void touch_more_than_the_limit() {
  for (int round = 0; round < 5; ++round) {
    void* memory = ::mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) ::_exit(101);
    auto* bytes = static_cast<volatile char*>(memory);
    for (std::size_t i = 0; i < kTouchBytes; i += 4096) bytes[i] = 1;
    ::munmap(memory, kTouchBytes);
  }
}

// Set before fork(): where the writer puts its file.
std::string scratch_file;

// Writes 128 MiB to a file and deletes it.
void write_more_than_the_limit() {
  int fd = ::open(scratch_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) ::_exit(102);
  static char chunk[1 << 20];
  for (std::size_t i = 0; i < sizeof chunk; i += 512) chunk[i] = 'x';
  for (int i = 0; i < 128; ++i)
    if (::write(fd, chunk, sizeof chunk) != static_cast<ssize_t>(sizeof chunk)) ::_exit(103);
  ::close(fd);
  ::unlink(scratch_file.c_str());
}

void sleep_forever() {
  for (;;) ::pause();
}

// waitpid with a deadline; nullopt when the child is still running at the end.
std::optional<int> wait_for(pid_t pid, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

TEST(CgroupLive, LimitIsHitCountedKilledAndUndone) {
  MEMHARNESS_REQUIRE_ROOT();
  SystemRoot root;
  MemoryController controller;
  MEMHARNESS_REQUIRE_MEMORY_CONTROLLER(root, controller);
  testing::ScopedStateDir state("cgroup-live");
  auto journal = Journal::begin(root, Journal::default_directory());
  EXPECT_EQ(journal.file().parent_path(), state.dir());

  std::string name = fmt::format("memharness-{}-live", ::getpid());
  auto cgroup = create_memory_cgroup(root, controller, name, journal);
  ASSERT_EQ(cgroup->path(), controller.own_cgroup() + "/" + name);
  ASSERT_TRUE(std::filesystem::is_directory(cgroup->path()));
  ASSERT_EQ(cgroup->version(), controller.version);

  // Page cache beyond the limit: limit reclaim, counted in failcnt / "max"; the
  // writer survives (its pages can be reclaimed once written back).
  cgroup->apply_limits({.max = kLimit});
  auto start_events = cgroup->memory_events();
  scratch_file = (state.dir() / "page-cache").string();
  pid_t writer = spawn_in(cgroup->procs_file(), write_more_than_the_limit);
  ASSERT_GT(writer, 0);
  auto writer_status = wait_for(writer, std::chrono::seconds(60));
  ASSERT_TRUE(writer_status.has_value()) << "the writer is still running after 60 s";
  EXPECT_EQ(*writer_status, 0) << "wait status of the writer";
  auto events = cgroup->memory_events();
  EXPECT_GT(events.at("max"), start_events.at("max")) << "the 64 MiB limit was never hit";
  EXPECT_EQ(events.at("oom_kill"), 0);

  // Anonymous memory beyond the limit with no swap for the cgroup (another test
  // may have a swapfile on): nothing to reclaim, so the OOM killer ends it.
  std::string swap_file = controller.version == CgroupVersion::v1 ? "/memory.memsw.limit_in_bytes" : "/memory.swap.max";
  MEMHARNESS_REQUIRE(root.exists(cgroup->path() + swap_file), "needs swap accounting (" + swap_file + ")");
  cgroup->apply_limits({.max = kLimit, .swap_max = 0});
  pid_t toucher = spawn_in(cgroup->procs_file(), touch_more_than_the_limit);
  ASSERT_GT(toucher, 0);
  auto status = wait_for(toucher, std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value()) << "the toucher is still running after 60 s";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << "wait status " << *status;
  // Not checked here: which limit count moves. v1 charges memory+swap first, so
  // with equal limits the memsw counter is the one that fails, and on 6.18 its
  // memory.memsw.failcnt stays 0 (observed on the development host).
  EXPECT_GE(cgroup->memory_events().at("oom_kill"), 1);
  // Raising both limits again: on v1 this needs memsw written before memory.
  EXPECT_NO_THROW(cgroup->apply_limits({.max = 2 * kLimit, .swap_max = 0}));

  auto stat = cgroup->memory_stat();
  EXPECT_GT(stat.at("pgfault"), 10000);  // 64 MiB is 16384 pages
  EXPECT_TRUE(stat.contains("anon"));
  EXPECT_TRUE(stat.contains("file"));
  EXPECT_FALSE(stat.contains("rss"));  // v1 names are normalised
  auto peak = cgroup->peak_bytes();
  if (controller.version == CgroupVersion::v1) {
    ASSERT_TRUE(peak.has_value());
  }
  if (peak) {
    EXPECT_GT(*peak, kLimit / 2);
    EXPECT_LE(*peak, testing::memcg_peak_allowance(kLimit));
  }
  EXPECT_TRUE(cgroup->usage_bytes().has_value());

  // kill_all() empties the cgroup of a process that would never end by itself.
  pid_t sleeper = spawn_in(cgroup->procs_file(), sleep_forever);
  ASSERT_GT(sleeper, 0);
  for (int i = 0; i < 250 && cgroup->pids().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_THAT(cgroup->pids(), ::testing::ElementsAre(sleeper));
  cgroup->kill_all();
  EXPECT_TRUE(cgroup->pids().empty());
  auto sleeper_status = wait_for(sleeper, std::chrono::seconds(10));
  ASSERT_TRUE(sleeper_status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*sleeper_status) && WTERMSIG(*sleeper_status) == SIGKILL);

  // The journal's restore removes the cgroup (and, on v2, what it enabled).
  EXPECT_TRUE(std::filesystem::exists(journal.file()));
  EXPECT_THAT(journal.restore(), ::testing::ElementsAre());
  EXPECT_FALSE(std::filesystem::exists(cgroup->path()));
  EXPECT_FALSE(std::filesystem::exists(journal.file()));
}

}  // namespace
}  // namespace memharness::system
