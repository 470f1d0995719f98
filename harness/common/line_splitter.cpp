#include "harness/common/line_splitter.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace memharness {

namespace {
constexpr std::size_t kChunkBytes = 64 * 1024;
}  // namespace

void LineSplitter::append(std::string_view piece, const Handler& handler) {
  while (partial_.size() + piece.size() > kMaxLineBytes) {
    std::size_t room = kMaxLineBytes - partial_.size();
    partial_.append(piece.substr(0, room));
    piece.remove_prefix(room);
    handler(partial_);
    partial_.clear();
  }
  partial_.append(piece);
}

void LineSplitter::feed(std::string_view chunk, const Handler& handler) {
  while (!chunk.empty()) {
    auto newline = chunk.find('\n');
    std::string_view piece = chunk.substr(0, newline);
    if (newline == std::string_view::npos) {
      append(piece, handler);
      return;
    }
    if (partial_.empty() && piece.size() <= kMaxLineBytes) {
      handler(piece);  // the common case: no copy
    } else {
      append(piece, handler);
      handler(partial_);
      partial_.clear();
    }
    chunk.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish(const Handler& handler) {
  if (partial_.empty()) return;
  handler(partial_);
  partial_.clear();
}

namespace {

// `fd` from `offset` to its end, chunk by chunk; the offset reached.
std::uintmax_t feed_fd(int fd, std::uintmax_t offset, LineSplitter& splitter, const LineSplitter::Handler& handler) {
  std::array<char, kChunkBytes> buffer;
  for (;;) {
    ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return offset;  // the end for now (or an error: what was read stands)
    offset += static_cast<std::uintmax_t>(n);
    splitter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), handler);
  }
}

}  // namespace

std::uintmax_t feed_file(const std::filesystem::path& file, std::uintmax_t offset, LineSplitter& splitter,
                         const LineSplitter::Handler& handler) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return offset;
  offset = feed_fd(fd, offset, splitter, handler);
  ::close(fd);
  return offset;
}

bool for_each_line(const std::filesystem::path& file, const LineSplitter::Handler& handler) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  LineSplitter splitter;
  feed_fd(fd, 0, splitter, handler);
  ::close(fd);
  splitter.finish(handler);
  return true;
}

}  // namespace memharness
