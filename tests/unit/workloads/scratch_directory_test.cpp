// A workload's scratch directory in a place other users can write to (/var/tmp):
// root's dd and kernel builds write below it, so it must be a directory this
// run just made, never one (or a symlink) someone prepared.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/owned_files.h"
#include "harness/system/system_root.h"
#include "workloads/workload.h"

namespace memharness::workloads {
namespace {

namespace fs = std::filesystem;

class ScratchDirectoryTest : public ::testing::Test {
 protected:
  WorkloadContext context() const {
    return WorkloadContext{.system = system_,
                           .instance_name = "dd",
                           .output_dir = tmp_.path(),
                           .cgroup_procs_file = {},
                           .cgroup = nullptr,
                           .deadline = {},
                           .stop = {},
                           .journaled_write = {},
                           .journaled_scratch_directory = {}};
  }
  TemporaryDirectory tmp_{"memharness-scratch-test-"};
  system::SystemRoot system_{"/"};
};

TEST_F(ScratchDirectoryTest, APreparedDirectoryOrSymlinkIsNeverAdopted) {
  // What a local user could create before the run, under the name main used.
  auto parent = tmp_.path() / "var-tmp";
  fs::create_directories(parent / "theirs");
  ::chmod(parent.c_str(), 01777);
  auto predictable = parent / fmt::format("memharness-dd-{}-dd", ::getpid());
  fs::create_symlink(parent / "theirs", predictable);
  auto made = context().make_scratch_directory(parent, "dd");
  EXPECT_NE(made, predictable);
  EXPECT_EQ(made.parent_path(), parent);
  EXPECT_TRUE(made.filename().string().starts_with(fmt::format("memharness-dd-{}-dd-", ::getpid()))) << made;
  struct stat st {};
  ASSERT_EQ(::lstat(made.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_TRUE(fs::is_empty(parent / "theirs"));
  // Two workloads of the same kind get two directories.
  EXPECT_NE(context().make_scratch_directory(parent, "dd"), made);
}

TEST_F(ScratchDirectoryTest, AParentOthersCanWriteWithoutTheStickyBitIsRefused) {
  auto parent = tmp_.path() / "open";
  fs::create_directories(parent);
  ::chmod(parent.c_str(), 0777);  // anyone could rename root's directory away
  try {
    context().make_scratch_directory(parent, "dd");
    ADD_FAILURE() << "used a directory anyone can rename entries in";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_NE(std::string(e.what()).find("writable by other users and not sticky"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(parent));
}

TEST_F(ScratchDirectoryTest, AParentThatIsASymlinkIsRefused) {
  fs::create_directories(tmp_.path() / "real");
  fs::create_symlink(tmp_.path() / "real", tmp_.path() / "link");
  EXPECT_THROW(context().make_scratch_directory(tmp_.path() / "link", "dd"), Error);
  EXPECT_TRUE(fs::is_empty(tmp_.path() / "real"));
}

TEST_F(ScratchDirectoryTest, AMissingParentIsNamed) {
  try {
    context().make_scratch_directory(tmp_.path() / "missing", "dd");
    ADD_FAILURE() << "created a missing parent";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(tmp_.path().string() + "/missing"), std::string::npos) << e.what();
  }
}

// remove_tree empties a tree and never follows a symlink inside it.
TEST_F(ScratchDirectoryTest, RemoveTreeRemovesLinksNotTheirTargets) {
  auto keep = tmp_.path() / "keep";
  fs::create_directories(keep);
  std::ofstream(keep / "file") << "kept";
  auto tree = tmp_.path() / "tree";
  fs::create_directories(tree / "a" / "b");
  std::ofstream(tree / "a" / "b" / "f") << "x";
  fs::create_symlink(keep, tree / "a" / "link-to-dir");
  fs::create_symlink(keep / "file", tree / "link-to-file");
  EXPECT_EQ(remove_tree(tree), 6u);
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(keep / "file"));
  EXPECT_EQ(remove_tree(tree), 0u);
}

}  // namespace
}  // namespace memharness::workloads
