#pragma once
// Files and directories the harness creates as root in places other users can
// write to (/var/tmp, a results tree, a temporary directory): created new, never
// reused, and never followed through a symlink someone else planted. A
// directory that exists already is refused (EEXIST), not adopted: its owner,
// not root, would decide what root's writes below it reach. Files below an
// owned directory are opened relative to its descriptor with O_NOFOLLOW.
#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace memharness {

// A directory this process created, open as a descriptor (O_DIRECTORY|O_NOFOLLOW).
class OwnedDirectory {
 public:
  // mkdir(path, mode): throws Error(environment) naming the path when it exists
  // already (as anything: directory, file, symlink) or cannot be made. The
  // parent must exist.
  static OwnedDirectory create(const std::filesystem::path& path, mode_t mode = 0700);
  // mkdtemp(parent/prefixXXXXXX), mode 0700: a name nobody can predict.
  static OwnedDirectory create_unique(const std::filesystem::path& parent, std::string_view prefix);

  OwnedDirectory(OwnedDirectory&& other) noexcept;
  OwnedDirectory& operator=(OwnedDirectory&& other) noexcept;
  OwnedDirectory(const OwnedDirectory&) = delete;
  OwnedDirectory& operator=(const OwnedDirectory&) = delete;
  ~OwnedDirectory();

  const std::filesystem::path& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_; }
  dev_t device() const noexcept { return device_; }
  ino_t inode() const noexcept { return inode_; }

  // Creates `name` (one path component) below this directory with
  // O_CREAT|O_EXCL|O_NOFOLLOW and returns its descriptor (O_CLOEXEC);
  // throws Error(environment) naming the file.
  int create_file(std::string_view name, int flags = O_WRONLY, mode_t mode = 0600) const;

 private:
  OwnedDirectory(std::filesystem::path path, int fd);
  std::filesystem::path path_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

// Throws Error(environment) naming the directory unless `directory` and every
// directory above it are real directories that only root (or this user) can
// rename entries in: owned by root or this user, and, where group or others
// may write, sticky (as /tmp and /var/tmp are). Below a directory another
// user controls, a path root writes through could be swapped for a symlink.
void require_trusted_directory(const std::filesystem::path& directory);

// `length` characters of [a-z0-9] from getrandom(2): a name nobody can guess.
std::string random_name_part(std::size_t length = 10);

// Removes `path` and everything below it without following any symlink
// (openat/unlinkat from descriptors; a symlink is removed, not its target).
// Returns the number of entries removed (0: it did not exist); throws
// Error(run_failed) naming what it could not remove.
std::uintmax_t remove_tree(const std::filesystem::path& path);

// A temporary directory that removes itself (and everything in it) when done.
class TemporaryDirectory {
 public:
  // In $TMPDIR or /tmp; see OwnedDirectory::create_unique.
  explicit TemporaryDirectory(std::string_view prefix);
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory();
  const std::filesystem::path& path() const noexcept { return directory_.path(); }

 private:
  OwnedDirectory directory_;
};

}  // namespace memharness
