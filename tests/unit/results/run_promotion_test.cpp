// A run stored again under another label: a complete copy, relabelled, that
// says where it came from; never over an existing run, never half-copied.
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/common/error.h"
#include "harness/results/run_promotion.h"
#include "harness/results/run_reader.h"

namespace memharness::results {
namespace {

namespace fs = std::filesystem;

class RunPromotionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("memharness-promotion-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "nightly" / "anon-dirty-quick");
    run_ = root_ / "nightly" / "anon-dirty-quick" / "2026-11-22T04-54-45Z";
    fs::copy(fs::path(MEMHARNESS_FIXTURE_DIR) / "runs" / "results" / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z",
             run_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, run_;
};

TEST_F(RunPromotionTest, TheCopyIsCompleteRelabelledAndResolvesUnderTheNewLabel) {
  auto stored = promote_run(run_, root_, "last-good");
  EXPECT_EQ(stored, root_ / "last-good" / "anon-dirty-quick" / "2026-11-22T04-54-45Z");
  auto copy = read_run(stored);
  EXPECT_EQ(copy.label(), "last-good");
  EXPECT_EQ(copy.manifest.promoted_from, run_.string());
  EXPECT_EQ(copy.iterations.size(), read_run(run_).iterations.size());
  EXPECT_EQ(resolve_run("last-good", root_, "anon-dirty-quick"), stored);
  EXPECT_EQ(read_run(run_).label(), "a");  // the original is untouched
  for (const auto& entry : fs::directory_iterator(root_))
    EXPECT_NE(entry.path().filename().string().rfind(".promoting-", 0), 0u) << entry.path();
}

TEST_F(RunPromotionTest, AnExistingRunIsNeverOverwritten) {
  promote_run(run_, root_, "last-good");
  try {
    promote_run(run_, root_, "last-good");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::run_failed);
    EXPECT_NE(std::string(e.what()).find("exists already"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace memharness::results
