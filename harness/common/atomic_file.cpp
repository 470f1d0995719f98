#include "harness/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/owned_files.h"
#include "harness/common/write_all.h"

namespace memharness {

namespace {
// What a copy holds at once, whatever the file's size.
constexpr std::size_t kCopyChunkBytes = 64 * 1024;
}  // namespace

void fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the rename happened; durability is best effort here
  ::fsync(fd);
  ::close(fd);
}

namespace {

// Makes `file` anew from what `fill` writes to a new temporary file beside it:
// fill(fd) returns "" when it wrote everything, or why it could not. A new file
// with a name nobody can guess: O_EXCL never opens what is there already and,
// with O_NOFOLLOW, never follows a symlink planted in its place. rename() then
// replaces `file` itself, never a symlink's target.
void replace_atomically(const std::filesystem::path& file, const std::function<std::string(int fd)>& fill) {
  std::filesystem::path temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
    temporary = file;
    temporary += ".tmp-" + random_name_part(10);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) throw run_error("cannot create {}: {}", temporary.string(), std::strerror(errno));
  ::fchmod(fd, 0644);  // whatever the umask: results are for every reader
  std::string problem;
  try {
    problem = fill(fd);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (!problem.empty()) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw run_error("cannot write {}: {}", temporary.string(), problem);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    throw run_error("cannot flush {}: {}", temporary.string(), std::strerror(saved));
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    throw run_error("cannot rename {} to {}: {}", temporary.string(), file.string(), std::strerror(saved));
  }
  fsync_directory(file.parent_path().empty() ? "." : file.parent_path());
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  replace_atomically(file, [content](int fd) -> std::string {
    return write_all(fd, content.data(), content.size()) ? "" : std::strerror(errno);
  });
}

void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& file) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    throw run_error("cannot open {} to copy it to {}: {}", from.string(), file.string(), std::strerror(errno));
  try {
    replace_atomically(file, [&](int out) -> std::string {
      std::vector<char> buffer(kCopyChunkBytes);
      for (;;) {
        ssize_t n = ::read(in, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fmt::format("reading {}: {}", from.string(), std::strerror(errno));
        if (n == 0) return "";
        if (!write_all(out, buffer.data(), static_cast<std::size_t>(n))) return std::strerror(errno);
      }
    });
  } catch (...) {
    ::close(in);
    throw;
  }
  ::close(in);
}

void write_json_atomically(const std::filesystem::path& file, const nlohmann::json& value) {
  write_file_atomically(file, value.dump(2) + "\n");
}

}  // namespace memharness
