#include "harness/runner/signal_stopper.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>

namespace memharness::runner {

namespace {
// SIGPIPE is raised in the thread whose write found the reader gone (`memharness
// run X | head -1`), so the waiter's sigtimedwait never sees it, and by default
// it kills the process before the journal is restored. Its handler only notes
// it; the waiter turns the note into a stop like the other signals, and the
// write itself fails with EPIPE.
std::atomic<bool> pipe_broken{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set in a signal handler");
extern "C" void note_broken_pipe(int) { pipe_broken.store(true); }

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
  struct sigaction pipe_action {};
  pipe_action.sa_handler = note_broken_pipe;
  sigemptyset(&pipe_action.sa_mask);
  ::sigaction(SIGPIPE, &pipe_action, nullptr);  // children get SIG_DFL back at exec
  waiter_ = std::thread([this] {
    sigset_t signals = stop_signals();
    timespec poll_interval{0, 200'000'000};
    while (!quit_.load()) {
      int sig = ::sigtimedwait(&signals, nullptr, &poll_interval);
      if (sig <= 0 && pipe_broken.exchange(false)) sig = SIGPIPE;
      if (sig <= 0) continue;
      int expected = 0;
      if (signal_.compare_exchange_strong(expected, sig)) {
        std::fprintf(stderr, "\nmemharness: %s received: stopping the workloads and restoring the system\n",
                     sig == SIGINT    ? "SIGINT"
                     : sig == SIGTERM ? "SIGTERM"
                     : sig == SIGPIPE ? "SIGPIPE"
                                      : "SIGHUP");
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
  // journal's restore, which runs in destructors after this one. SIGPIPE keeps
  // its noting handler for the same reason: a report written to a closed pipe
  // after this fails with EPIPE instead of killing the restore.
}

}  // namespace memharness::runner
