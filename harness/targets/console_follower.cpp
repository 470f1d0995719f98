#include "harness/targets/console_follower.h"

#include <condition_variable>
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
  offset_ = feed_file(log_, offset_, lines_, handler_);
  if (final_read) lines_.finish(handler_);
}

}  // namespace memharness::targets
