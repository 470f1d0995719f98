#pragma once
// One memharness at a time changes this machine's global state. Two runs at
// once restore each other's values (A sets swappiness 10, B starts and records
// 10 as the old value; A restores 60, B restores 10: the machine is left at
// 10), and the same for nr_hugepages and a shared cgroup.subtree_control. So
// every command that changes global state (a host run, nightly, restore) holds
// an exclusive flock(2) on <state dir>/lock for as long as it runs; commands
// that only read run directories (compare, report, list, check-config) take
// none. The kernel drops the lock when its holder dies however it dies: a
// stale lock file is simply taken over. The file names the holder (pid and
// command line) so that a refusal can say who holds it.
#include <filesystem>
#include <string>

namespace memharness::system {

class StateLock {
 public:
  // Creates the state directory (mode 0700) and the lock file when missing and
  // takes the lock without waiting. Throws Error(environment) naming the
  // holder's pid and command when another process holds it.
  static StateLock acquire(const std::filesystem::path& state_dir);

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

  const std::filesystem::path& file() const noexcept { return file_; }
  // The holder that ended without releasing it (its pid and command), when the
  // lock file named one: "" when the lock was free and unclaimed.
  const std::string& taken_over_from() const noexcept { return previous_holder_; }

 private:
  StateLock(std::filesystem::path file, int fd, std::string previous_holder);
  std::filesystem::path file_;
  int fd_ = -1;
  std::string previous_holder_;
};

}  // namespace memharness::system
