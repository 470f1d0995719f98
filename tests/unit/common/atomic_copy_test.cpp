// copy_file_atomically: the copy is the file's bytes however large, it replaces
// the target in one rename, never writes through a symlink, and a source that
// cannot be read is named.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"

namespace memharness {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class AtomicCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("atomic-copy-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  fs::path dir_;
};

// Many times the 64 KiB the copy holds, not a multiple of it, with every byte value.
TEST_F(AtomicCopyTest, CopiesEveryByteOfAFileLargerThanItsBuffer) {
  std::string content;
  for (std::size_t i = 0; i < 5 * 65536 + 321; ++i) content.push_back(static_cast<char>(i * 7 % 256));
  std::ofstream(dir_ / "console.log", std::ios::binary) << content;
  std::ofstream(dir_ / "copy.log") << "old content";
  copy_file_atomically(dir_ / "console.log", dir_ / "copy.log");
  EXPECT_EQ(slurp(dir_ / "copy.log"), content);
  EXPECT_EQ(fs::status(dir_ / "copy.log").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  EXPECT_EQ(entries(), 2u);  // no temporary left
  copy_file_atomically(dir_ / "console.log", dir_ / "empty-source-copy");
  std::ofstream(dir_ / "empty") << "";
  copy_file_atomically(dir_ / "empty", dir_ / "empty-source-copy");
  EXPECT_EQ(slurp(dir_ / "empty-source-copy"), "");
}

TEST_F(AtomicCopyTest, ReplacesASymlinkAtTheTargetInsteadOfWritingThroughIt) {
  std::ofstream(dir_ / "victim") << "precious\n";
  std::ofstream(dir_ / "console.log") << "console\n";
  fs::create_symlink(dir_ / "victim", dir_ / "copy.log");
  copy_file_atomically(dir_ / "console.log", dir_ / "copy.log");
  EXPECT_EQ(slurp(dir_ / "victim"), "precious\n");
  EXPECT_FALSE(fs::is_symlink(dir_ / "copy.log"));
  EXPECT_EQ(slurp(dir_ / "copy.log"), "console\n");
}

TEST_F(AtomicCopyTest, AMissingSourceOrTargetDirectoryIsNamed) {
  try {
    copy_file_atomically(dir_ / "no-console.log", dir_ / "copy.log");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::run_failed);
    EXPECT_NE(std::string(e.what()).find("no-console.log"), std::string::npos) << e.what();
  }
  std::ofstream(dir_ / "console.log") << "console\n";
  try {
    copy_file_atomically(dir_ / "console.log", dir_ / "missing" / "copy.log");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/copy.log"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "copy.log"));
}

}  // namespace
}  // namespace memharness
