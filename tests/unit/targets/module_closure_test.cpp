#include <gtest/gtest.h>

#include <algorithm>

#include "harness/common/error.h"
#include "harness/targets/initramfs.h"
#include "harness/targets/module_closure.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;
const fs::path fixtures = fs::path(MEMHARNESS_FIXTURE_DIR) / "vm";

std::vector<std::string> names(const ModuleClosure& closure) {
  std::vector<std::string> n;
  for (const auto& m : closure.load_order) n.push_back(m.name);
  return n;
}

std::size_t position(const std::vector<std::string>& list, const std::string& name) {
  return static_cast<std::size_t>(std::find(list.begin(), list.end(), name) - list.begin());
}

// The six modules DESIGN.md found a 6.1 guest needs for virtio_blk, dependencies first.
TEST(ModuleClosure, Debian61NeedsTheVirtioStackAsModules) {
  auto closure = resolve_modules(fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64",
                                 required_guest_modules(), optional_guest_modules());
  auto order = names(closure);
  for (const char* m : {"virtio", "virtio_ring", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
                        "virtio_blk", "zsmalloc", "zram"})
    EXPECT_LT(position(order, m), order.size()) << m;
  EXPECT_LT(position(order, "virtio"), position(order, "virtio_pci"));
  EXPECT_LT(position(order, "virtio_ring"), position(order, "virtio_blk"));
  EXPECT_LT(position(order, "zsmalloc"), position(order, "zram"));
  EXPECT_EQ(std::count(order.begin(), order.end(), "virtio"), 1);
  EXPECT_EQ(closure.built_in, std::vector<std::string>{"ext4"});
}

// 6.12 builds virtio_pci in and compresses modules with xz.
TEST(ModuleClosure, Debian612HasVirtioPciBuiltInAndXzModules) {
  auto closure = resolve_modules(fixtures / "6.12.111+deb12-cloud-amd64/lib/modules/6.12.111+deb12-cloud-amd64",
                                 required_guest_modules(), optional_guest_modules());
  EXPECT_EQ(closure.built_in, (std::vector<std::string>{"virtio_pci", "ext4"}));
  ASSERT_FALSE(closure.load_order.empty());
  EXPECT_EQ(closure.load_order.front().relative, "kernel/drivers/block/virtio_blk.ko.xz");
  EXPECT_LT(position(names(closure), "lz4_compress"), position(names(closure), "zram"));
}

TEST(ModuleClosure, MissingRequiredModuleIsAnError) {
  EXPECT_THROW(
      resolve_modules(fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64", {"no_such_module"}, {}),
      Error);
  auto closure =
      resolve_modules(fixtures / "6.1.0-50-cloud-amd64/lib/modules/6.1.0-50-cloud-amd64", {}, {"no-such-module"});
  EXPECT_EQ(closure.missing, std::vector<std::string>{"no_such_module"});
}

TEST(ModuleClosure, NamesDropCompressionAndTreatDashAsUnderscore) {
  EXPECT_EQ(module_name("kernel/drivers/virtio/virtio-pci.ko.zst"), "virtio_pci");
  EXPECT_EQ(module_name("zram.ko"), "zram");
}

}  // namespace
}  // namespace memharness::targets
