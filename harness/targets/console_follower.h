#pragma once
// Follows a console log that qemu is still writing and hands each complete line
// to a callback as it appears, so a guest's progress shows on the host while the
// guest runs (a TCG guest runs for minutes) instead of after it powers off.
// It reads in chunks and keeps no more than the line being completed, so what a
// handler keeps is all a console costs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "harness/common/line_splitter.h"

namespace memharness::targets {

class ConsoleFollower {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  // Starts following; the file need not exist yet. The handler runs on the
  // follower's thread until finish() and must not block for long.
  ConsoleFollower(std::filesystem::path log, LineHandler handler,
                  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250));
  ~ConsoleFollower();
  ConsoleFollower(const ConsoleFollower&) = delete;
  ConsoleFollower& operator=(const ConsoleFollower&) = delete;

  // Stops the thread and hands over what is left, an unterminated last line
  // included. Call it once the writer has exited.
  void finish();

 private:
  void read_new_bytes(bool final_read);

  std::filesystem::path log_;
  LineHandler handler_;
  std::chrono::milliseconds poll_interval_;
  std::uintmax_t offset_ = 0;
  LineSplitter lines_;  // holds at most one line: a console of any size is followed in bounded memory
  std::jthread thread_;
  bool finished_ = false;
};

}  // namespace memharness::targets
