#include "harness/system/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::system {

namespace fs = std::filesystem;

namespace {

std::string read_holder(int fd) {
  std::string text(4096, '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

// "pid 123: memharness run anon-dirty-quick": who this process is.
std::string describe_self() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::stringstream raw;
  raw << in.rdbuf();
  std::string command = raw.str();
  while (!command.empty() && command.back() == '\0') command.pop_back();
  for (char& c : command)
    if (c == '\0' || c == '\n') c = ' ';
  return fmt::format("pid {}: {}", ::getpid(), command);
}

}  // namespace

StateLock::StateLock(fs::path file, int fd, std::string previous_holder)
    : file_(std::move(file)), fd_(fd), previous_holder_(std::move(previous_holder)) {}

StateLock::StateLock(StateLock&& other) noexcept
    : file_(std::move(other.file_)),
      fd_(std::exchange(other.fd_, -1)),
      previous_holder_(std::move(other.previous_holder_)) {}

StateLock::~StateLock() {
  if (fd_ < 0) return;
  // Cleared before release: a later reader sees no stale holder.
  if (::ftruncate(fd_, 0) != 0) {
    // The lock is released all the same; the next holder overwrites the name.
  }
  ::close(fd_);
}

StateLock StateLock::acquire(const fs::path& state_dir) {
  if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw environment_error("cannot create the state directory {}: {}", state_dir.string(), std::strerror(errno));
  fs::path file = state_dir / "lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw environment_error("cannot open the lock {}: {}", file.string(), std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    std::string holder = read_holder(fd);
    ::close(fd);
    if (saved == EWOULDBLOCK)
      throw environment_error(
          "another memharness is changing this machine's state ({}); it holds {}: wait for it to end (two at once "
          "would restore each other's settings)",
          holder.empty() ? "its pid is not written yet" : holder, file.string());
    throw environment_error("cannot lock {}: {}", file.string(), std::strerror(saved));
  }
  std::string previous = read_holder(fd);
  std::string me = describe_self() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    int saved = errno;
    ::close(fd);
    throw environment_error("cannot write {}: {}", file.string(), std::strerror(saved));
  }
  return StateLock(std::move(file), fd, std::move(previous));
}

}  // namespace memharness::system
