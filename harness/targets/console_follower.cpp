#include "harness/targets/console_follower.h"

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <stop_token>

namespace memharness::targets {

ConsoleFollower::ConsoleFollower(std::filesystem::path log, LineHandler handler,
                                 std::chrono::milliseconds poll_interval)
    : log_(std::move(log)), handler_(std::move(handler)), poll_interval_(poll_interval) {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      read_new_bytes(false);
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, poll_interval_, [] { return false; });
    }
  });
}

ConsoleFollower::~ConsoleFollower() { finish(); }

void ConsoleFollower::finish() {
  if (finished_) return;
  finished_ = true;
  thread_.request_stop();
  thread_.join();
  read_new_bytes(true);
}

void ConsoleFollower::read_new_bytes(bool final_read) {
  std::ifstream in(log_, std::ios::binary);
  if (in) {
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset_ += chunk.size();
    partial_line_ += chunk;
  }
  std::string_view pending = partial_line_;
  std::size_t consumed = 0;
  for (auto end = pending.find('\n'); end != std::string_view::npos; end = pending.find('\n', consumed)) {
    handler_(pending.substr(consumed, end - consumed));
    consumed = end + 1;
  }
  partial_line_.erase(0, consumed);
  if (final_read && !partial_line_.empty()) {
    handler_(partial_line_);
    partial_line_.clear();
  }
}

}  // namespace memharness::targets
