#include "harness/runner/signal_stopper.h"

#include <signal.h>

#include <cstdio>
#include <ctime>

namespace memharness::runner {

namespace {
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

SignalStopper::SignalStopper() {
  sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this] {
    sigset_t signals = stop_signals();
    timespec poll_interval{0, 200'000'000};
    while (!quit_.load()) {
      int sig = ::sigtimedwait(&signals, nullptr, &poll_interval);
      if (sig <= 0) continue;
      int expected = 0;
      if (signal_.compare_exchange_strong(expected, sig)) {
        std::fprintf(stderr, "\nmemharness: %s received: stopping the workloads and restoring the system\n",
                     sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
      } else {
        std::fprintf(stderr, "\nmemharness: still cleaning up; the journal is restored before exit\n");
      }
      source_.request_stop();
    }
  });
}

SignalStopper::~SignalStopper() {
  quit_.store(true);
  waiter_.join();
  // Signals stay blocked: a late Ctrl-C while main returns must not skip the
  // journal's restore, which runs in destructors after this one.
}

}  // namespace memharness::runner
