#pragma once
// The fixture of tests that run the memharness binary against the live kernel
// and must leave the machine as they found it (crash_test.cpp, faults_test.cpp):
// root, stress-ng and a memory controller required; a state directory of
// their own (MEMHARNESS_STATE_DIR of the runs they start); the global knobs
// read before the test, to compare with after; and a `memharness restore` at
// the end, the safety net of a test that failed half-way.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dead_run.h"
#include "harness/system/cgroup.h"
#include "harness/system/system_root.h"
#include "harness_process.h"
#include "live_state.h"
#include "require.h"

namespace memharness::testing {

class MachineStateFixture : public ::testing::Test {
 protected:
  explicit MachineStateFixture(const std::string& name) : tmp_(name) {}

  void SetUp() override {
    MEMHARNESS_REQUIRE_ROOT();
    MEMHARNESS_REQUIRE_PROGRAM("stress-ng");
    MEMHARNESS_REQUIRE_PROGRAM("dd");
    system::MemoryController controller;
    MEMHARNESS_REQUIRE_MEMORY_CONTROLLER(system::SystemRoot("/"), controller);
    own_cgroup_ = controller.own_cgroup();
    env_ = {{"MEMHARNESS_STATE_DIR", state_dir().string()}};
    knobs_before_ = global_knobs();
  }
  void TearDown() override {
    if (std::filesystem::exists(state_dir())) run_memharness({"restore"}, env_, tmp_.path() / "teardown-restore.log");
  }

  std::filesystem::path state_dir() const { return tmp_.path() / "state"; }

  // Every global change of the run of `harness` undone, nothing of it left on
  // the machine, its journal gone, and none of `processes` (seen while it
  // ran) still alive.
  void expect_machine_as_before(pid_t harness, const std::vector<ProcessIdentity>& processes) {
    EXPECT_FALSE(processes.empty()) << "no process of the run was ever seen: nothing was checked";
    EXPECT_EQ(describe(survivors(processes, kProcessExitLimit)), "") << "alive after the harness ended";
    EXPECT_EQ(leftovers_of_run(harness, own_cgroup_, kScratchParent), std::vector<std::string>{});
    EXPECT_EQ(knob_differences(knobs_before_, global_knobs()), std::vector<std::string>{});
    EXPECT_EQ(journals_in(state_dir()), 0);
  }

  std::string own_cgroup_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> knobs_before_;
  TempDir tmp_;
};

}  // namespace memharness::testing
