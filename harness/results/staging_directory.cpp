#include "harness/results/staging_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::results {

namespace fs = std::filesystem;

namespace {

bool is_staging_name(const std::string& name) { return name.starts_with(".vm-") || name.starts_with(".round-"); }

}  // namespace

StagingDirectory StagingDirectory::create(const fs::path& results_root, std::string_view kind, std::string_view name) {
  auto directory =
      OwnedDirectory::create_unique(fs::absolute(results_root), fmt::format(".{}-{}-{}-", kind, ::getpid(), name));
  if (::flock(directory.fd(), LOCK_EX | LOCK_NB) != 0)
    throw environment_error("cannot lock {}, just created: {}", directory.path().string(), std::strerror(errno));
  return StagingDirectory(std::move(directory));
}

// settle_time: a work area between mkdtemp and flock is unlocked for a moment,
// so a free lock counts as its owner's death only once it has stood still.
std::vector<fs::path> remove_abandoned_staging(const fs::path& results_root, std::ostream& out,
                                               std::chrono::seconds settle_time) {
  std::vector<fs::path> removed;
  std::error_code error;
  fs::directory_iterator entries(results_root, error);
  if (error) return removed;  // no results root yet: nothing was left
  auto now = std::chrono::system_clock::now();
  for (const auto& entry : entries) {
    std::string name = entry.path().filename().string();
    if (!is_staging_name(name)) continue;
    // Never through a symlink someone planted in the results root.
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat status {};
    bool settled =
        ::fstat(fd, &status) == 0 && now - std::chrono::system_clock::from_time_t(status.st_ctim.tv_sec) >= settle_time;
    // Held while removing, so a second sweeper passes it by.
    bool abandoned = settled && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (!abandoned) {
      ::close(fd);
      continue;
    }
    try {
      remove_tree(entry.path());
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    out << fmt::format("memharness: removed {}, the work area of a VM run that died without cleaning up\n",
                       entry.path().string());
    removed.push_back(entry.path());
  }
  return removed;
}

}  // namespace memharness::results
