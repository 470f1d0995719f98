#pragma once
// Turns SIGINT, SIGTERM, SIGHUP and SIGPIPE (the reader of stdout went away)
// into a stop request that every part of a run can see (std::stop_token), so
// each ends through the journal's restore instead of skipping it, and no work
// is done in a signal handler. Construct
// it before any other thread starts: the signals are blocked in the constructing
// thread, every thread created after inherits that, and one thread waits for them.
#include <atomic>
#include <stop_token>
#include <thread>

namespace memharness::runner {

class SignalStopper {
 public:
  SignalStopper();
  ~SignalStopper();
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  // The first signal received, 0 if none.
  int signal_received() const { return signal_.load(); }

 private:
  std::stop_source source_;
  std::atomic<int> signal_{0};
  std::atomic<bool> quit_{false};
  std::thread waiter_;
};

}  // namespace memharness::runner
