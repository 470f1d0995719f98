// Against the boot headers of Debian's 6.1 and 6.12 cloud kernels (the first
// 18 KiB of their vmlinuz, tests/fixtures/vm) and their real modules.dep.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "harness/common/error.h"
#include "harness/targets/kernel_image.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;
const fs::path fixtures = fs::path(MEMHARNESS_FIXTURE_DIR) / "vm";

TEST(KernelImage, ReleaseFromTheBootHeader) {
  EXPECT_EQ(read_bzimage_release(fixtures / "6.1.0-50-cloud-amd64/boot/vmlinuz-6.1.0-50-cloud-amd64"),
            "6.1.0-50-cloud-amd64");
  EXPECT_EQ(read_bzimage_release(fixtures / "6.12.111+deb12-cloud-amd64/boot/vmlinuz-6.12.111+deb12-cloud-amd64"),
            "6.12.111+deb12-cloud-amd64");
}

TEST(KernelImage, NotABzImageIsAUsageError) {
  fs::path bogus = fs::temp_directory_path() / ("memharness-not-a-kernel-" + std::to_string(::getpid()));
  std::ofstream(bogus) << std::string(4096, 'x');
  EXPECT_THROW(read_bzimage_release(bogus), Error);
  fs::remove(bogus);
}

TEST(KernelImage, ModulesBesideAnUnpackedPackage) {
  auto kernel = locate_kernel(fixtures / "6.12.111+deb12-cloud-amd64/boot/vmlinuz-6.12.111+deb12-cloud-amd64");
  EXPECT_EQ(kernel.modules_dir,
            fs::absolute(fixtures / "6.12.111+deb12-cloud-amd64/lib/modules/6.12.111+deb12-cloud-amd64"));
}

TEST(KernelImage, ModulesGivenAsARootOrTheReleaseDirectory) {
  auto image = fixtures / "6.1.0-50-cloud-amd64/boot/vmlinuz-6.1.0-50-cloud-amd64";
  EXPECT_EQ(locate_kernel(image, fixtures / "6.1.0-50-cloud-amd64").modules_dir,
            fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64");
  EXPECT_EQ(locate_kernel(image, fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64").modules_dir,
            fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64");
}

TEST(KernelImage, BuildTreeLayoutIsSearched) {
  auto candidates = module_dir_candidates("/src/linux/arch/x86/boot/bzImage", "6.18.0", {});
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0], "/src/linux/lib/modules/6.18.0");
}

TEST(KernelImage, NoModulesSaysWhereItLooked) {
  auto image = fixtures / "6.1.0-50-cloud-amd64/boot/vmlinuz-6.1.0-50-cloud-amd64";
  try {
    locate_kernel(image, "/nonexistent");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/lib/modules/6.1.0-50-cloud-amd64"), std::string::npos)
        << e.what();
  }
}

// The release in a boot header is data from a file; it names directories
// (lib/modules/R, the results label, the VM work area that is later removed).
TEST(KernelImage, AReleaseThatIsNotOnePathComponentIsRefused) {
  auto original = fixtures / "6.1.0-50-cloud-amd64/boot/vmlinuz-6.1.0-50-cloud-amd64";
  fs::path crafted = fs::temp_directory_path() / ("memharness-crafted-kernel-" + std::to_string(::getpid()));
  fs::copy_file(original, crafted, fs::copy_options::overwrite_existing);
  {
    std::fstream image(crafted, std::ios::in | std::ios::out | std::ios::binary);
    unsigned char pointer[2];
    image.seekg(0x20e);
    image.read(reinterpret_cast<char*>(pointer), 2);
    image.seekp(0x200 + (pointer[0] | (pointer[1] << 8)));
    image.write("x/../../..", 11);  // with its NUL
  }
  try {
    read_bzimage_release(crafted);
    ADD_FAILURE() << "accepted a release with slashes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("\"x/../../..\" is not a release name"), std::string::npos) << e.what();
  }
  fs::remove(crafted);
}

}  // namespace
}  // namespace memharness::targets
