#pragma once
// Lines of text that arrives in chunks (a console qemu is still writing, a file
// larger than memory should hold), handed over one at a time without keeping
// more than one line: a 1 GB console costs a 64 KiB buffer, not a gigabyte.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace memharness {

class LineSplitter {
 public:
  using Handler = std::function<void(std::string_view line)>;

  // No console or log line comes near this; a longer one (a file without
  // newlines) is handed over in pieces of this many bytes, so that it cannot
  // fill memory.
  static constexpr std::size_t kMaxLineBytes = 64 * 1024;

  // Hands each line that `chunk` completes to `handler`, without its '\n' (a
  // '\r' before it is the handler's to strip); what is left waits for the next chunk.
  void feed(std::string_view chunk, const Handler& handler);
  // Hands over an unterminated last line, if any.
  void finish(const Handler& handler);

 private:
  void append(std::string_view piece, const Handler& handler);

  std::string partial_;
};

// Feeds the bytes of `file` from `offset` to its current end into `splitter`,
// in chunks of 64 KiB; returns the offset it reached (`offset` itself when the
// file cannot be opened: it may not exist yet).
std::uintmax_t feed_file(const std::filesystem::path& file, std::uintmax_t offset, LineSplitter& splitter,
                         const LineSplitter::Handler& handler);

// Every line of `file`, the unterminated last one included; false when the
// file cannot be opened (errno says why).
bool for_each_line(const std::filesystem::path& file, const LineSplitter::Handler& handler);

}  // namespace memharness
