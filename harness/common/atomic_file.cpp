#include "harness/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/common/error.h"
#include "harness/common/owned_files.h"
#include "harness/common/write_all.h"

namespace memharness {

void fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the rename happened; durability is best effort here
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  // A new file with a name nobody can guess: O_EXCL never opens what is there
  // already and, with O_NOFOLLOW, never follows a symlink planted in its place.
  // rename() then replaces `file` itself, never a symlink's target.
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
  if (!write_all(fd, content.data(), content.size())) {
    int saved = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    throw run_error("cannot write {}: {}", temporary.string(), std::strerror(saved));
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

void write_json_atomically(const std::filesystem::path& file, const nlohmann::json& value) {
  write_file_atomically(file, value.dump(2) + "\n");
}

}  // namespace memharness
