// The VM's scratch disk and qemu's command line with a results path holding a
// blank and a comma (a user's "results, 2" directory): debugfs splits its
// request at blanks and qemu's -drive splits at commas.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/system/process.h"
#include "harness/targets/qemu_vm.h"
#include "harness/targets/scratch_disk.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;

TEST(QemuCommand, ACommaInTheScratchDiskPathStaysInThePath) {
  VmLaunch launch;
  launch.kernel = "/k/bzImage";
  launch.initramfs = "/k/initrd";
  launch.scratch_disk = "/r/a,b,if=none/scratch.img";
  auto argv = qemu_command(launch);
  auto drive = std::find(argv.begin(), argv.end(), "-drive");
  ASSERT_NE(drive, argv.end());
  ASSERT_NE(drive + 1, argv.end());
  EXPECT_EQ(*(drive + 1), "file=/r/a,,b,,if=none/scratch.img,format=raw,if=virtio");
}

TEST(ScratchDisk, ResultsComeOutIntoAPathWithBlanksAndCommas) {
  for (const char* program : {"mkfs.ext4", "debugfs"})
    if (!system::find_program(program)) {
      if (std::getenv("CI")) FAIL() << "needs " << program << " (e2fsprogs, ci/setup.sh)";
      GTEST_SKIP() << "needs " << program;
    }
  TemporaryDirectory tmp("memharness-scratch-disk-test-");
  auto area = tmp.path() / "results, 2" / ".vm work";
  fs::create_directories(area / "disk" / "results" / "run 1");
  std::ofstream(area / "disk" / "results" / "run 1" / "result.json") << "{\"ok\": true}\n";
  make_scratch_disk(area / "scratch.img", 32 << 20, area / "disk");
  EXPECT_TRUE(copy_out_of_scratch_disk(area / "scratch.img", "/results", area / "out"));
  EXPECT_EQ(read_file_text(area / "out" / "results" / "run 1" / "result.json"), "{\"ok\": true}\n");
}

// The image is made new: a symlink planted where it goes is replaced, its
// target never truncated.
TEST(ScratchDisk, APlantedSymlinkIsNotWrittenThrough) {
  if (!system::find_program("mkfs.ext4")) {
    if (std::getenv("CI")) FAIL() << "needs mkfs.ext4 (e2fsprogs, ci/setup.sh)";
    GTEST_SKIP() << "needs mkfs.ext4";
  }
  TemporaryDirectory tmp("memharness-scratch-disk-test-");
  std::ofstream(tmp.path() / "victim") << "precious\n";
  fs::create_directories(tmp.path() / "disk");
  fs::create_symlink(tmp.path() / "victim", tmp.path() / "scratch.img");
  make_scratch_disk(tmp.path() / "scratch.img", 32 << 20, tmp.path() / "disk");
  EXPECT_EQ(read_file_text(tmp.path() / "victim"), "precious\n");
  EXPECT_FALSE(fs::is_symlink(tmp.path() / "scratch.img"));
}

}  // namespace
}  // namespace memharness::targets
