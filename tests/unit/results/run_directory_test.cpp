#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/common/space_reserve.h"
#include "harness/common/utc_time.h"
#include "harness/results/run_directory.h"

namespace memharness::results {
namespace {

class ResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("memharness-results-test-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  static std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path root_;
};

// 2026-11-22 04:10:33 UTC
const auto kWhen = std::chrono::system_clock::time_point(std::chrono::seconds(1795320633));

TEST_F(ResultsTest, TimestampsAreUtcAndPathSafe) {
  EXPECT_EQ(timestamp_for_path(kWhen), "2026-11-22T04-10-33Z");
  EXPECT_EQ(timestamp_iso8601(kWhen), "2026-11-22T04:10:33Z");
}

TEST_F(ResultsTest, CreatesLabelTestTimestampAndNeverReusesADirectory) {
  auto first = RunDirectory::create(root_, "6.18-vanilla", "anon-dirty", kWhen);
  EXPECT_EQ(first.path(), root_ / "6.18-vanilla" / "anon-dirty" / "2026-11-22T04-10-33Z");
  auto second = RunDirectory::create(root_, "6.18-vanilla", "anon-dirty", kWhen);
  EXPECT_EQ(second.path(), root_ / "6.18-vanilla" / "anon-dirty" / "2026-11-22T04-10-33Z-2");
  EXPECT_EQ(first.make_iteration_dir(3), first.path() / "iterations" / "3");
  EXPECT_TRUE(std::filesystem::is_directory(first.path() / "iterations" / "3"));
}

TEST_F(ResultsTest, ARelativeResultsDirectoryGivesAnAbsoluteRunDirectory) {
  // Workloads run in their output directory: a relative path would not reach it.
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(root_);
  auto dir = RunDirectory::create("results", "lbl", "t", kWhen);
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(dir.path().is_absolute()) << dir.path();
  EXPECT_EQ(dir.path(), root_ / "results" / "lbl" / "t" / "2026-11-22T04-10-33Z");
}

TEST_F(ResultsTest, RejectsLabelsThatAreNotPathComponents) {
  for (const char* bad : {"", ".", "..", "a/b", "with space", "x\n"}) {
    try {
      RunDirectory::create(root_, bad, "t", kWhen);
      FAIL() << "accepted label \"" << bad << "\"";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(root_));  // nothing created on bad input
  EXPECT_TRUE(is_valid_path_component("6.12.111+deb12-cloud-amd64"));
}

TEST_F(ResultsTest, AtomicWriteReplacesContentAndLeavesNoTemporaries) {
  auto file = root_ / "manifest.json";
  write_file_atomically(file, "old");
  write_json_atomically(file, nlohmann::json{{"status", "complete"}});
  EXPECT_EQ(nlohmann::json::parse(slurp(file))["status"], "complete");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(root_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(ResultsTest, AtomicWriteIntoAMissingDirectoryFailsNamingIt) {
  try {
    write_file_atomically(root_ / "missing" / "f", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::run_failed);
    EXPECT_NE(std::string(e.what()).find("missing/f"), std::string::npos) << e.what();
  }
}

TEST_F(ResultsTest, StatusNames) {
  EXPECT_STREQ(to_string(RunStatus::running), "running");
  EXPECT_STREQ(to_string(RunStatus::complete), "complete");
  EXPECT_STREQ(to_string(RunStatus::incomplete), "incomplete");
  EXPECT_STREQ(to_string(RunStatus::failed), "failed");
}

// A local user who guesses the temporary name cannot make root write through
// a symlink: the victim is untouched, the result lands in the file itself.
TEST_F(ResultsTest, AtomicWriteNeverFollowsASymlinkPlantedAtItsTemporaryName) {
  auto victim = root_ / "victim";
  { std::ofstream(victim) << "precious\n"; }
  auto file = root_ / "manifest.json";
  auto predictable = file;
  predictable += ".tmp-" + std::to_string(::getpid());
  std::filesystem::create_symlink(victim, predictable);
  write_file_atomically(file, "{}\n");
  EXPECT_EQ(slurp(victim), "precious\n");
  EXPECT_EQ(slurp(file), "{}\n");
  EXPECT_FALSE(std::filesystem::is_symlink(file));
  // Only the planted link and the two files: no temporary left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(root_)) ++entries;
  EXPECT_EQ(entries, 3);
}

// The room a run keeps for its final manifest: real blocks (a sparse file
// would keep none), never an existing file or a symlink, given back once.
TEST_F(ResultsTest, ASpaceReserveHoldsRealBlocksUntilReleased) {
  auto file = root_ / std::string(kRunSpaceReserveName);
  {
    SpaceReserve reserve(file, kRunSpaceReserveBytes);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_GE(static_cast<std::int64_t>(st.st_blocks) * 512, kRunSpaceReserveBytes);
    EXPECT_THROW(SpaceReserve(file, 4096), Error);  // O_EXCL: one reserve per run directory
    reserve.release();
    EXPECT_FALSE(std::filesystem::exists(file));
    { std::ofstream(file) << "not the reserve's any more\n"; }
  }  // released already: the destructor leaves the new file alone
  EXPECT_EQ(slurp(file), "not the reserve's any more\n");
}

TEST_F(ResultsTest, ASpaceReserveIsNeverMadeOrReleasedThroughASymlink) {
  auto victim = root_ / "victim";
  { std::ofstream(victim) << "precious\n"; }
  auto file = root_ / std::string(kRunSpaceReserveName);
  std::filesystem::create_symlink(victim, file);
  EXPECT_THROW(SpaceReserve(file, 4096), Error);
  release_space_reserve(file);  // what restore does for a killed run
  EXPECT_TRUE(std::filesystem::is_symlink(file));
  EXPECT_EQ(slurp(victim), "precious\n");
}

}  // namespace
}  // namespace memharness::results
