// The machine-wide state lock: exclusive, naming its holder, taken over when
// its holder is gone.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "harness/common/error.h"
#include "harness/common/owned_files.h"
#include "harness/system/state_lock.h"

namespace memharness::system {
namespace {

TEST(StateLock, ASecondHolderIsRefusedWithTheFirstOnesPidAndCommand) {
  TemporaryDirectory tmp("memharness-lock-test-");
  auto state = tmp.path() / "state";
  auto first = StateLock::acquire(state);
  EXPECT_EQ(first.taken_over_from(), "");
  try {
    StateLock::acquire(state);  // another open file description: flock conflicts
    ADD_FAILURE() << "a second lock was granted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    std::string message = e.what();
    EXPECT_NE(
        message.find("another memharness is changing this machine's state (pid " + std::to_string(::getpid()) + ": "),
        std::string::npos)
        << message;
    EXPECT_NE(message.find("unit-system"), std::string::npos) << message;  // the holder's command line
  }
}

TEST(StateLock, ReleasedOnDestructionAndStaleHoldersAreTakenOver) {
  TemporaryDirectory tmp("memharness-lock-test-");
  auto state = tmp.path() / "state";
  { auto lock = StateLock::acquire(state); }
  EXPECT_EQ(StateLock::acquire(state).taken_over_from(), "");  // released cleanly: nobody named
  // What a SIGKILLed holder leaves: its name in an unlocked file.
  std::ofstream(state / "lock") << "pid 4242: memharness run kernbench\n";
  auto lock = StateLock::acquire(state);
  EXPECT_EQ(lock.taken_over_from(), "pid 4242: memharness run kernbench");
}

}  // namespace
}  // namespace memharness::system
