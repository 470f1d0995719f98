// A guest that panics (rdinit= names no init: the kernel cannot mount a root)
// and one that does not finish in time are each recorded as that kernel's
// result, with the console, and `run` says so where the comparison would be.
// The panic, before the guest's init began, is booted twice. The test's load
// runs for 10 minutes, so the guest misses its 12 s timeout on any machine,
// however fast it boots and works.
#include <gtest/gtest.h>

#include "harness_process.h"
#include "require.h"
#include "vm_kernels.h"

namespace memharness::testing {
namespace {

class GuestFailure : public VmTest {};

TEST_F(GuestFailure, PanicAndTimeoutAreRecordedAsTheKernelsResult) {
  const std::string test = "vm-ten-minutes";
  write_file(scratch() / "ten-minutes.toml",
             "name = \"" + test +
                 "\"\ndescription = \"vm guest-failure test: a load that outlasts the timeout\"\n"
                 "timeout = \"15m\"\n[vm]\nmemory = \"1G\"\n[cgroup]\nmemory-max = \"128M\"\n"
                 "[[phase]]\n[[phase.workload]]\ntype = \"anon-dirty\"\nworkers = 1\nvm-bytes = \"32M\"\n"
                 "duration = \"10m\"\n");
  auto result = run_memharness(
      {"run", (scratch() / "ten-minutes.toml").string(), "--kernel",
       "panicky=" + kernels.v6_12.string() + ",cmdline=rdinit=/no-such-init", "--kernel",
       "slow=" + kernels.v6_1.string(), "--vm-timeout", "12s", "--results", (scratch() / "results").string()},
      env, scratch() / "log");
  EXPECT_EQ(result.exit_code, 4) << result.output;  // the run failed; nothing to compare

  auto panicked = run_directories(scratch() / "results", "panicky", test);
  ASSERT_EQ(panicked.size(), 1u) << result.output;
  auto manifest = read_json(panicked.front() / "manifest.json");
  EXPECT_EQ(manifest["status"], "failed");
  EXPECT_NE(manifest["status_reason"].get<std::string>().find("kernel panic: "), std::string::npos);
  EXPECT_NE(manifest["console_excerpt"].get<std::string>().find("Kernel panic - not syncing"), std::string::npos);
  EXPECT_TRUE(manifest["vm"]["console"]["panic"].get<bool>());
  EXPECT_EQ(manifest["machine"]["kernel"]["release"], "6.12.111+deb12-cloud-amd64");  // from the image's header
  EXPECT_NE(read_file(panicked.front() / "console.log").find("Kernel panic"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(panicked.front() / "config.toml"));
  // It failed before the guest's init began, so it was booted once more (an
  // early oops under TCG can be the emulator's); both consoles are kept.
  EXPECT_EQ(manifest["vm"]["boot_attempts"], 2) << manifest["vm"].dump();
  ASSERT_EQ(manifest["vm"]["failed_boots"].size(), 1u);
  EXPECT_NE(manifest["vm"]["failed_boots"][0]["problem"].get<std::string>().find("Kernel panic - not syncing"),
            std::string::npos);
  EXPECT_NE(read_file(panicked.front() / "console-boot-1.log").find("Kernel panic"), std::string::npos);
  EXPECT_NE(result.output.find("memharness: warning: panicky failed before the guest's init began"), std::string::npos)
      << result.output;

  auto slow = run_directories(scratch() / "results", "slow", test);
  ASSERT_EQ(slow.size(), 1u) << result.output;
  auto slow_manifest = read_json(slow.front() / "manifest.json");
  EXPECT_EQ(slow_manifest["status"], "failed");
  EXPECT_NE(slow_manifest["status_reason"].get<std::string>().find("did not finish within 12s"), std::string::npos)
      << slow_manifest["status_reason"];
  EXPECT_TRUE(slow_manifest["vm"]["timed_out"].get<bool>());
  EXPECT_EQ(slow_manifest["vm"]["boot_attempts"], 1);  // a hang is not booted again

  EXPECT_NE(result.output.find("panicky: not compared: kernel panic"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("slow: not compared: the guest did not finish"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace memharness::testing
