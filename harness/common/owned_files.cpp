#include "harness/common/owned_files.h"

#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "harness/common/error.h"

namespace memharness {

namespace fs = std::filesystem;

OwnedDirectory::OwnedDirectory(fs::path path, int fd) : path_(std::move(path)), fd_(fd) {
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    device_ = st.st_dev;
    inode_ = st.st_ino;
  }
}

OwnedDirectory OwnedDirectory::create(const fs::path& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == EEXIST)
      throw environment_error(
          "{} exists already: memharness creates its own directories and never reuses one "
          "(remove it if it is a leftover of yours)",
          path.string());
    throw environment_error("cannot create {}: {}", path.string(), std::strerror(errno));
  }
  // The directory was just made by us; O_NOFOLLOW guards against a swap for a
  // symlink in between (only possible if the parent is writable by others).
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw environment_error("cannot open {} just created: {}", path.string(), std::strerror(errno));
  return OwnedDirectory(path, fd);
}

OwnedDirectory OwnedDirectory::create_unique(const fs::path& parent, std::string_view prefix) {
  std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data()))
    throw environment_error("cannot create a directory {}: {}", pattern, std::strerror(errno));
  fs::path path(buffer.data());
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw environment_error("cannot open {} just created: {}", path.string(), std::strerror(errno));
  return OwnedDirectory(path, fd);
}

OwnedDirectory::OwnedDirectory(OwnedDirectory&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), device_(other.device_), inode_(other.inode_) {}

OwnedDirectory& OwnedDirectory::operator=(OwnedDirectory&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    device_ = other.device_;
    inode_ = other.inode_;
  }
  return *this;
}

OwnedDirectory::~OwnedDirectory() {
  if (fd_ >= 0) ::close(fd_);
}

int OwnedDirectory::create_file(std::string_view name, int flags, mode_t mode) const {
  std::string component(name);
  if (component.empty() || component.find('/') != std::string::npos || component == "." || component == "..")
    throw std::logic_error("not a single file name: " + component);
  int fd = ::openat(fd_, component.c_str(), flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) throw environment_error("cannot create {}: {}", (path_ / component).string(), std::strerror(errno));
  return fd;
}

void require_trusted_directory(const fs::path& directory) {
  fs::path absolute = fs::absolute(directory).lexically_normal();
  const uid_t me = ::geteuid();
  for (fs::path at = absolute;; at = at.parent_path()) {
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0)
      throw environment_error("cannot use {}: {}: {}", directory.string(), at.string(), std::strerror(errno));
    if (S_ISLNK(st.st_mode))
      throw environment_error("cannot use {}: {} is a symbolic link; give the real directory", directory.string(),
                              at.string());
    if (!S_ISDIR(st.st_mode))
      throw environment_error("cannot use {}: {} is not a directory", directory.string(), at.string());
    if (st.st_uid != 0 && st.st_uid != me)
      throw environment_error(
          "cannot use {}: {} belongs to user {}, who could redirect what memharness (as root) "
          "writes below it",
          directory.string(), at.string(), st.st_uid);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
      throw environment_error("cannot use {}: {} is writable by other users and not sticky", directory.string(),
                              at.string());
    if (at == at.parent_path()) break;
  }
}

std::string random_name_part(std::size_t length) {
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::vector<unsigned char> bytes(length);
  std::size_t got = 0;
  while (got < length) {
    ssize_t n = ::getrandom(bytes.data() + got, length - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw environment_error("getrandom failed: {}", std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  std::string name;
  for (unsigned char b : bytes) name += alphabet[b % alphabet.size()];
  return name;
}

namespace {

// Empties the directory open as `fd` (consumed), depth first; counts entries.
std::uintmax_t remove_contents(int fd, const fs::path& shown) {
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    throw run_error("cannot list {}: {}", shown.string(), std::strerror(errno));
  }
  std::uintmax_t removed = 0;
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  for (const auto& name : names) {
    if (::unlinkat(fd, name.c_str(), 0) == 0) {
      ++removed;
      continue;
    }
    if (errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) {
      int saved = errno;
      ::closedir(dir);
      throw run_error("cannot remove {}: {}", (shown / name).string(), std::strerror(saved));
    }
    int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      int saved = errno;
      ::closedir(dir);
      throw run_error("cannot open {}: {}", (shown / name).string(), std::strerror(saved));
    }
    try {
      removed += remove_contents(child, shown / name);
    } catch (...) {
      ::closedir(dir);
      throw;
    }
    if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      int saved = errno;
      ::closedir(dir);
      throw run_error("cannot remove {}: {}", (shown / name).string(), std::strerror(saved));
    }
    ++removed;
  }
  ::closedir(dir);
  return removed;
}

}  // namespace

std::uintmax_t remove_tree(const fs::path& path) {
  fs::path absolute = fs::absolute(path).lexically_normal();
  fs::path parent = absolute.parent_path();
  std::string name = absolute.filename().string();
  if (name.empty() || parent == absolute) throw run_error("refusing to remove {}", absolute.string());
  int parent_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0) {
    if (errno == ENOENT) return 0;
    throw run_error("cannot open {}: {}", parent.string(), std::strerror(errno));
  }
  std::uintmax_t removed = 0;
  try {
    int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) {
        ::close(parent_fd);
        return 0;
      }
      if (errno != ENOTDIR && errno != ELOOP)
        throw run_error("cannot open {}: {}", absolute.string(), std::strerror(errno));
      // A file or a symlink in its place: removed itself, never followed.
      if (::unlinkat(parent_fd, name.c_str(), 0) != 0)
        throw run_error("cannot remove {}: {}", absolute.string(), std::strerror(errno));
      ::close(parent_fd);
      return 1;
    }
    removed = remove_contents(fd, absolute);
    if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      throw run_error("cannot remove {}: {}", absolute.string(), std::strerror(errno));
  } catch (...) {
    ::close(parent_fd);
    throw;
  }
  ::close(parent_fd);
  return removed + 1;
}

TemporaryDirectory::TemporaryDirectory(std::string_view prefix)
    : directory_(OwnedDirectory::create_unique(
          [] {
            const char* tmp = std::getenv("TMPDIR");
            return fs::path(tmp && *tmp ? tmp : "/tmp");
          }(),
          prefix)) {}

TemporaryDirectory::~TemporaryDirectory() {
  try {
    remove_tree(directory_.path());
  } catch (const std::exception&) {
    // A temporary directory left behind is not worth failing for.
  }
}

}  // namespace memharness
