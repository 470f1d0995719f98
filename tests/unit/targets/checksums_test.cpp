#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "harness/targets/checksums.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;

TEST(Checksums, Sha256OfKnownInput) {
  Sha256 digest;
  digest.update("abc");  // FIPS 180-2, appendix B.1
  EXPECT_EQ(digest.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class ChecksumsTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("memharness-checksums-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "run/iterations/1");
    std::ofstream(root_ / "run/manifest.json") << "{\"status\": \"complete\"}\n";
    std::ofstream(root_ / "run/iterations/1/result.json") << "{}\n";
    sums_ = sha256_file(root_ / "run/iterations/1/result.json") + "  ./run/iterations/1/result.json\n" +
            sha256_file(root_ / "run/manifest.json") + "  ./run/manifest.json\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  std::string sums_;
};

TEST_F(ChecksumsTree, IntactResultsPass) { EXPECT_TRUE(verify_checksums(root_, sums_).empty()); }

TEST_F(ChecksumsTree, ChangedMissingAndUnlistedFilesAreEachNamed) {
  std::ofstream(root_ / "run/manifest.json") << "{\"status\": \"complete\"}\n\n";
  fs::remove(root_ / "run/iterations/1/result.json");
  std::ofstream(root_ / "run/extra.txt") << "x";
  auto problems = verify_checksums(root_, sums_ + "garbage\n");
  ASSERT_EQ(problems.size(), 4u);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("run/manifest.json: checksum differs"), std::string::npos) << all;
  EXPECT_NE(all.find("run/iterations/1/result.json: listed in SHA256SUMS but did not come back"), std::string::npos);
  EXPECT_NE(all.find("run/extra.txt: came back but is not in SHA256SUMS"), std::string::npos);
  EXPECT_NE(all.find("not a checksum line: \"garbage\""), std::string::npos);
}

}  // namespace
}  // namespace memharness::targets
