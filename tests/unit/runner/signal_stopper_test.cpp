#include "harness/runner/signal_stopper.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

using memharness::runner::SignalStopper;

namespace {
// Bounded so that a broken stopper fails the test instead of hanging it; the
// waiter notices within one poll interval (0.2 s).
bool stop_seen(const SignalStopper& stopper) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!stopper.token().stop_requested() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return stopper.token().stop_requested();
}
}  // namespace

// `memharness run X | head -1`: the write that finds the reader gone raises
// SIGPIPE in the writing thread. It must become a stop (the run then restores
// the journal), not kill the process before the restore.
TEST(SignalStopper, BrokenPipeStopsTheRunInsteadOfKillingTheProcess) {
  SignalStopper stopper;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);                         // the reader went away
  EXPECT_EQ(::write(fds[1], "x", 1), -1);  // raises SIGPIPE in this thread
  EXPECT_EQ(errno, EPIPE);
  ::close(fds[1]);
  ASSERT_TRUE(stop_seen(stopper));
  EXPECT_EQ(stopper.signal_received(), SIGPIPE);
}

TEST(SignalStopper, TerminationRequestStopsTheRun) {
  SignalStopper stopper;
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  ASSERT_TRUE(stop_seen(stopper));
  EXPECT_EQ(stopper.signal_received(), SIGTERM);
}
