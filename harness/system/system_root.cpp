#include "harness/system/system_root.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "harness/common/error.h"

namespace memharness::system {

SystemRoot::SystemRoot(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path SystemRoot::resolve(std::string_view absolute_path) const {
  std::string_view relative = absolute_path;
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  return root_ / relative;
}

bool SystemRoot::exists(std::string_view absolute_path) const {
  std::error_code ec;
  return std::filesystem::exists(resolve(absolute_path), ec);
}

namespace {
// Kernel files report size 0, so read until EOF rather than by file size.
// Returns 0 on success or the errno of the failure.
int read_whole_file(const std::filesystem::path& path, std::string& text) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved_errno = n < 0 ? errno : 0;
      ::close(fd);
      return saved_errno;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}
}  // namespace

std::optional<std::string> SystemRoot::try_read(std::string_view absolute_path) const {
  std::string text;
  if (read_whole_file(resolve(absolute_path), text) != 0) return std::nullopt;
  return text;
}

std::string SystemRoot::read(std::string_view absolute_path) const {
  auto path = resolve(absolute_path);
  std::string text;
  if (int err = read_whole_file(path, text); err != 0)
    throw environment_error("cannot read {}: {}", path.string(), std::strerror(err));
  return text;
}

std::string SystemRoot::read_value(std::string_view absolute_path) const {
  std::string text = read(absolute_path);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

void SystemRoot::write(std::string_view absolute_path, std::string_view value) const {
  auto path = resolve(absolute_path);
  // O_CREAT only on fake trees: on a live system a missing knob is an error.
  int flags = O_WRONLY | O_CLOEXEC | (is_live() ? 0 : O_CREAT | O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw environment_error("cannot open {} for writing: {}", path.string(), std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int saved_errno = errno;
  ::close(fd);
  if (n < 0 || static_cast<std::size_t>(n) != value.size())
    throw environment_error("cannot write \"{}\" to {}: {}", value, path.string(),
                            n < 0 ? std::strerror(saved_errno) : "short write");
}

std::vector<std::string> SystemRoot::list(std::string_view absolute_path) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(resolve(absolute_path), ec))
    names.push_back(entry.path().filename().string());
  if (ec) throw environment_error("cannot list {}: {}", resolve(absolute_path).string(), ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace memharness::system
