#include "harness/common/space_reserve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "harness/common/error.h"
#include "harness/common/write_all.h"

namespace memharness {

namespace {

// Real blocks: a sparse file would hold no space at all.
bool allocate(int fd, std::int64_t bytes) {
  if (::posix_fallocate(fd, 0, bytes) == 0) return true;
  std::vector<char> zeros(std::min<std::int64_t>(bytes, 64 * 1024), 0);
  for (std::int64_t left = bytes; left > 0;) {
    auto chunk = static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(zeros.size())));
    if (!write_all(fd, zeros.data(), chunk)) return false;
    left -= static_cast<std::int64_t>(chunk);
  }
  return ::fsync(fd) == 0;
}

}  // namespace

SpaceReserve::SpaceReserve(std::filesystem::path file, std::int64_t bytes) : file_(std::move(file)) {
  int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw run_error("cannot create {}: {}", file_.string(), std::strerror(errno));
  held_ = true;
  if (!allocate(fd, bytes)) {
    int saved = errno;
    ::close(fd);
    release();
    throw run_error("cannot reserve {} KiB in {} for the run's final manifest: {}", bytes / 1024,
                    file_.parent_path().string(), std::strerror(saved));
  }
  ::close(fd);
}

SpaceReserve::~SpaceReserve() { release(); }

void SpaceReserve::release() noexcept {
  if (!held_) return;
  held_ = false;
  release_space_reserve(file_);
}

void release_space_reserve(const std::filesystem::path& file) noexcept {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid()) ::unlink(file.c_str());
}

}  // namespace memharness
