// Loading a config only reads the file: it creates no swapfile, directory or
// cgroup, whatever the config says.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "harness/config/test_plan.h"
#include "tests/unit/config/config_test_support.h"

namespace memharness::config::testing {
namespace {

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) paths.insert(entry.path().string());
  return paths;
}

TEST(LoadTestPlan, CreatesNothing) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "memharness-nothing-created";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto swap_dir = dir / "swap-here";
  std::ofstream(dir / "swappy.toml") << "[cgroup]\nmemory-max = \"256M\"\n"
                                     << "[swap]\nmode = \"swapfile\"\nswapfile-size = \"1G\"\n"
                                     << "swapfile-directory = \"" << swap_dir.string() << "\"\n"
                                     << "[sysctl]\nvm.swappiness = 100\n"
                                     << minimal_phase;

  const auto before = listing(dir);
  TestPlan plan = load_test_plan(dir / "swappy.toml", test_host());
  EXPECT_EQ(plan.name, "swappy");
  EXPECT_EQ(plan.swap.swapfile_directory, swap_dir);
  EXPECT_EQ(listing(dir), before);
  EXPECT_FALSE(std::filesystem::exists(swap_dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace memharness::config::testing
