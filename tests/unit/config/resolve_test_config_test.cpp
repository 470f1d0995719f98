// resolve_test_config(): test names to files in the config directories.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"

namespace memharness::config {
namespace {

class ResolveTestConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("memharness-resolve-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(root_ / "local");
    std::filesystem::create_directories(root_ / "installed");
    std::ofstream(root_ / "local" / "anon-dirty.toml") << "\n";
    std::ofstream(root_ / "installed" / "anon-dirty.toml") << "\n";
    std::ofstream(root_ / "installed" / "kernbench.toml") << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::vector<std::filesystem::path> dirs() const { return {root_ / "local", root_ / "installed"}; }

  std::string error_of(std::string_view name) const {
    try {
      resolve_test_config(name, dirs());
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ExitCode::usage);
      return error.what();
    }
    ADD_FAILURE() << name << " resolved";
    return "";
  }

  std::filesystem::path root_;
};

TEST_F(ResolveTestConfig, NameIsLookedUpInDirectoryOrder) {
  EXPECT_EQ(resolve_test_config("anon-dirty", dirs()), root_ / "local" / "anon-dirty.toml");
  EXPECT_EQ(resolve_test_config("kernbench", dirs()), root_ / "installed" / "kernbench.toml");
}

TEST_F(ResolveTestConfig, PathsAreTakenAsGiven) {
  auto path = (root_ / "installed" / "kernbench.toml").string();
  EXPECT_EQ(resolve_test_config(path, {}), path);
  EXPECT_EQ(error_of("no/such/file.toml"), "no/such/file.toml: error: no such test config file");
}

TEST_F(ResolveTestConfig, UnknownNameListsWhereItLookedAndSuggests) {
  std::string message = error_of("kernbnch");
  EXPECT_EQ(message, "error: no test config named \"kernbnch\" (looked for kernbnch.toml in " +
                         (root_ / "local").string() + ", " + (root_ / "installed").string() +
                         "); did you mean \"kernbench\"?");
}

TEST_F(ResolveTestConfig, EmptyName) { EXPECT_EQ(error_of(""), "error: empty test config name"); }

}  // namespace
}  // namespace memharness::config
