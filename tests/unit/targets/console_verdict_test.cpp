// Against consoles saved by real guests under TCG (tests/fixtures/vm): a 6.12
// guest that ran anon-dirty-quick to the end, and the same kernel booted with
// rdinit=/no-such-init, which panics.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/targets/console_verdict.h"

namespace memharness::targets {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MEMHARNESS_FIXTURE_DIR) + "/vm/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConsoleVerdict, AFinishedGuest) {
  auto console = fixture("console-6.12-complete.log");
  ASSERT_FALSE(console.empty());
  auto verdict = read_console(console);
  EXPECT_TRUE(verdict.began);
  EXPECT_TRUE(verdict.finished);
  EXPECT_FALSE(verdict.panic);
  EXPECT_FALSE(verdict.oops);
  EXPECT_FALSE(verdict.boot_to_workload_s);  // captured before the init printed its uptime
  EXPECT_TRUE(read_console("memharness-guest: begin 6.1 uptime=4.21 console=ttyS0\n").boot_to_workload_s == 4.21);
  auto output = guest_run_output(console);
  EXPECT_NE(output.find("anon-dirty-quick on 6.12.111+deb12-cloud-amd64 (host)"), std::string::npos) << output;
  EXPECT_EQ(output.find("Power down"), std::string::npos);
}

TEST(ConsoleVerdict, APanicNamesItsLineAndKeepsTheTrace) {
  auto verdict = read_console(fixture("console-6.12-panic.log"));
  EXPECT_TRUE(verdict.panic);
  EXPECT_FALSE(verdict.began);
  EXPECT_FALSE(verdict.finished);
  EXPECT_NE(verdict.first_problem_line.find("Kernel panic - not syncing: VFS: Unable to mount root fs"),
            std::string::npos);
  EXPECT_NE(verdict.excerpt.find("mount_root_generic"), std::string::npos) << verdict.excerpt;
}

TEST(ConsoleVerdict, OopsAndInitErrors) {
  auto verdict = read_console(
      "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
      "[ 1.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
      "memharness-guest: error: no scratch disk (/dev/vda)\n");
  EXPECT_TRUE(verdict.oops);
  EXPECT_FALSE(verdict.panic);
  EXPECT_EQ(verdict.first_problem_line, "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008");
  EXPECT_EQ(verdict.guest_error, "no scratch disk (/dev/vda)");
}

TEST(ConsoleVerdict, AHungConsoleKeepsItsTail) {
  std::string console;
  for (int i = 0; i < 100; ++i) console += "line " + std::to_string(i) + "\n";
  auto verdict = read_console(console);
  EXPECT_FALSE(verdict.finished);
  EXPECT_NE(verdict.excerpt.find("line 99\n"), std::string::npos);
  EXPECT_EQ(verdict.excerpt.find("line 1\n"), std::string::npos);
}

}  // namespace
}  // namespace memharness::targets
