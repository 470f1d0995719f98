// VM work areas beside the results: a dead run's are removed, a live run's
// (its lock held) and anything that is not a work area are left alone.
#include "harness/results/staging_directory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/common/owned_files.h"

namespace memharness::results {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

void make_dead_area(const fs::path& path) {
  fs::create_directories(path / "disk");
  std::ofstream(path / "scratch.img") << "image";
  std::ofstream(path / "disk" / "args") << "--label x";
}

TEST(StagingDirectory, AreasOfDeadRunsGoThoseOfLiveRunsStay) {
  TemporaryDirectory root("staging-test-");
  auto live_vm = StagingDirectory::create(root.path(), "vm", "6.12");
  auto live_round = StagingDirectory::create(root.path(), "round", "3");
  EXPECT_TRUE(live_vm.path().filename().string().starts_with(".vm-"));
  EXPECT_TRUE(live_round.path().filename().string().starts_with(".round-"));
  const fs::path dead_vm = root.path() / ".vm-4242-6.1-abcdef";
  const fs::path dead_round = root.path() / ".round-4242-2-ghijkl";
  make_dead_area(dead_vm);
  make_dead_area(dead_round);
  fs::create_directories(root.path() / "6.1" / "stress-highalloc");  // a label: not a work area

  std::ostringstream out;
  auto removed = remove_abandoned_staging(root.path(), out, seconds(0));
  EXPECT_EQ(removed.size(), 2u) << out.str();
  EXPECT_FALSE(fs::exists(dead_vm));
  EXPECT_FALSE(fs::exists(dead_round));
  EXPECT_NE(out.str().find(dead_vm.string()), std::string::npos) << out.str();
  EXPECT_TRUE(fs::exists(live_vm.path()));
  EXPECT_TRUE(fs::exists(live_round.path()));
  EXPECT_TRUE(fs::exists(root.path() / "6.1" / "stress-highalloc"));
}

TEST(StagingDirectory, AnAreaWhoseOwnerEndedWithoutRemovingItIsRemovedNext) {
  TemporaryDirectory root("staging-test-");
  fs::path left;
  {
    auto area = StagingDirectory::create(root.path(), "vm", "x");
    left = area.path();
    std::ofstream(left / "console.log") << "boot";
  }  // the lock goes with its descriptor, as with a killed owner
  std::ostringstream out;
  EXPECT_EQ(remove_abandoned_staging(root.path(), out, seconds(0)).size(), 1u);
  EXPECT_FALSE(fs::exists(left));
}

// Between mkdtemp and flock an area is unlocked: one that changed within the
// settle time is not taken for abandoned.
TEST(StagingDirectory, AFreshUnlockedAreaIsLeftUntilItHasStoodStill) {
  TemporaryDirectory root("staging-test-");
  make_dead_area(root.path() / ".vm-1-x-abcdef");
  std::ostringstream out;
  EXPECT_TRUE(remove_abandoned_staging(root.path(), out, seconds(3600)).empty());
  EXPECT_TRUE(fs::exists(root.path() / ".vm-1-x-abcdef"));
}

TEST(StagingDirectory, ASymlinkNamedLikeAnAreaIsNotFollowed) {
  TemporaryDirectory root("staging-test-");
  TemporaryDirectory elsewhere("staging-target-");
  std::ofstream(elsewhere.path() / "precious") << "keep";
  fs::create_directory_symlink(elsewhere.path(), root.path() / ".vm-1-x-abcdef");
  std::ostringstream out;
  EXPECT_TRUE(remove_abandoned_staging(root.path(), out, seconds(0)).empty());
  EXPECT_TRUE(fs::exists(elsewhere.path() / "precious"));
}

TEST(StagingDirectory, AMissingResultsRootIsNothingToDo) {
  std::ostringstream out;
  EXPECT_TRUE(remove_abandoned_staging("/nonexistent/memharness-results", out, seconds(0)).empty());
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace memharness::results
