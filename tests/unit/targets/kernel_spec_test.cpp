#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/targets/kernel_spec.h"

namespace memharness::targets {
namespace {

TEST(KernelSpec, HostLabelAndImage) {
  EXPECT_EQ(parse_kernel_spec("host").kind, KernelKind::host);
  auto stored = parse_kernel_spec("6.12-mglru");
  EXPECT_EQ(stored.kind, KernelKind::stored);
  EXPECT_EQ(stored.name, "6.12-mglru");
  auto image = parse_kernel_spec("/boot/vmlinuz-6.1");
  EXPECT_EQ(image.kind, KernelKind::image);
  EXPECT_EQ(image.image, "/boot/vmlinuz-6.1");
  EXPECT_TRUE(image.name.empty());  // labelled by the guest's release
}

TEST(KernelSpec, NamedVariantWithCmdlineSysctlsAndModules) {
  auto spec = parse_kernel_spec(
      "nothp=k/vmlinuz,cmdline=transparent_hugepage=never  quiet,sysctl=vm.compaction_proactiveness=0,"
      "sysctl=vm.swappiness=100,modules=/tmp/mods");
  EXPECT_EQ(spec.kind, KernelKind::image);
  EXPECT_EQ(spec.name, "nothp");
  EXPECT_EQ(spec.image, "k/vmlinuz");
  EXPECT_EQ(spec.modules, "/tmp/mods");
  EXPECT_EQ(spec.boot_arguments(),
            (std::vector<std::string>{"transparent_hugepage=never", "quiet", "sysctl.vm.compaction_proactiveness=0",
                                      "sysctl.vm.swappiness=100"}));
}

// The kernel splits its command line at whitespace outside double quotes: a
// sysctl of several words must stay one argument.
TEST(KernelSpec, ASysctlOfSeveralWordsIsOneQuotedBootArgument) {
  KernelSpec spec;
  spec.kind = KernelKind::image;
  spec.sysctls = {{"vm.lowmem_reserve_ratio", "256 256\t32"}, {"vm.swappiness", "10"}};
  EXPECT_EQ(spec.boot_arguments(),
            (std::vector<std::string>{"sysctl.vm.lowmem_reserve_ratio=\"256 256\t32\"", "sysctl.vm.swappiness=10"}));
}

TEST(KernelSpec, NamedHostIsAHostVariantWithItsSysctls) {
  auto plain = parse_kernel_spec("A=host");
  EXPECT_EQ(plain.kind, KernelKind::host);
  EXPECT_EQ(plain.name, "A");
  EXPECT_TRUE(plain.sysctls.empty());
  auto variant = parse_kernel_spec("dirty2m=host,sysctl=vm.dirty_bytes=2097152,sysctl=vm.swappiness=10");
  EXPECT_EQ(variant.kind, KernelKind::host);
  EXPECT_EQ(variant.name, "dirty2m");
  EXPECT_TRUE(variant.image.empty());
  EXPECT_EQ(variant.sysctls,
            (std::vector<std::pair<std::string, std::string>>{{"vm.dirty_bytes", "2097152"}, {"vm.swappiness", "10"}}));
  // An image file named host is a path.
  EXPECT_EQ(parse_kernel_spec("A=./host").kind, KernelKind::image);
}

void expect_usage_error(const std::string& text, const std::string& fragment) {
  try {
    parse_kernel_spec(text);
    ADD_FAILURE() << text << ": no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("--kernel " + text, 0), 0u) << e.what();
  }
}

TEST(KernelSpec, BadInputNamesTheArgumentAndWhatWasExpected) {
  expect_usage_error("a/b=x", "must be a label");
  expect_usage_error("host=/boot/vmlinuz", "\"host\" names the running kernel");
  expect_usage_error("x=", "NAME=PATH");
  expect_usage_error("x=/boot/vmlinuz,cmdline", "expected KEY=VALUE");
  expect_usage_error("x=/boot/vmlinuz,sysctl=vm.swappiness", "sysctl=NAME=VALUE");
  expect_usage_error("x=/boot/vmlinuz,sysctl=vm.swappiness=10\" rdinit=/bin/sh", "without double quotes");
  expect_usage_error("x=/boot/vmlinuz,initrd=/a", "unknown option \"initrd\"");
  expect_usage_error("label,cmdline=quiet", "need a name: NAME=PATH,cmdline=quiet or NAME=host,cmdline=quiet");
  expect_usage_error("x=host,cmdline=quiet", "the running kernel takes only sysctl=");
  expect_usage_error("x=host,modules=/tmp/m", "the running kernel takes only sysctl=");
}

}  // namespace
}  // namespace memharness::targets
