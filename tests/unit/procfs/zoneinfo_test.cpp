#include "harness/system/procfs/zoneinfo.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;

std::string error_of(std::string_view text) {
  try {
    parse_zoneinfo(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return {};
}

// The 6.18 capture (tests/fixtures/kernels/6.18/README.md): one node, five
// zones; the pagesets' "high:" lines and the per-node stats are not watermarks.
TEST(ParseZoneinfo, CapturedKernel) {
  auto zones = read_zoneinfo(SystemRoot(kernel_root("6.18")));
  ASSERT_EQ(zones.size(), 5u);
  EXPECT_EQ(zones[0].node, 0);
  EXPECT_EQ(zones[0].zone, "DMA");
  EXPECT_EQ(zones[0].free_pages, 3840);
  EXPECT_EQ(zones[0].min_pages, 16);
  EXPECT_EQ(zones[0].low_pages, 20);
  EXPECT_EQ(zones[0].high_pages, 24);
  EXPECT_EQ(zones[1].zone, "DMA32");
  EXPECT_EQ(zones[2].zone, "Normal");
  EXPECT_EQ(zones[2].min_pages, 13464);
  EXPECT_EQ(zones[2].low_pages, 16830);
  EXPECT_EQ(zones[2].high_pages, 20196);
  EXPECT_EQ(zones[3].zone, "Movable");
  EXPECT_EQ(zones[3].free_pages, 0);
  EXPECT_EQ(zones[3].min_pages, 32);
  EXPECT_EQ(zones[4].zone, "Device");
  for (const auto& z : zones) {
    EXPECT_LE(z.min_pages, z.low_pages) << z.zone;
    EXPECT_LE(z.low_pages, z.high_pages) << z.zone;
  }
}

TEST(ParseZoneinfo, SeveralNodes) {
  auto zones = parse_zoneinfo(
      "Node 0, zone   Normal\n  pages free     100\n        min      10\n        low      12\n"
      "        high     14\n  pagesets\n    cpu: 0\n              count: 5\n              high:  8\n"
      "Node 1, zone   Normal\n  pages free     7\n        min      1\n        low      2\n        high     3\n");
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0].high_pages, 14);
  EXPECT_EQ(zones[1].node, 1);
  EXPECT_EQ(zones[1].free_pages, 7);
  EXPECT_TRUE(parse_zoneinfo("").empty());
}

TEST(ParseZoneinfo, MalformedInputNamesTheLine) {
  EXPECT_EQ(error_of("Node 0 zone Normal\n"),
            "/proc/zoneinfo:1: expected 'Node N, zone NAME', got 'Node 0 zone Normal'");
  EXPECT_EQ(error_of("  pages free 5\n"), "/proc/zoneinfo:1: 'pages free' before the first 'Node N, zone NAME' line");
  EXPECT_EQ(error_of("Node 0, zone DMA\n  pages free -5\n"),
            "/proc/zoneinfo:2: expected a page count for 'pages free', got '-5'");
  EXPECT_EQ(error_of("Node 0, zone DMA\n  pages free 5\n  min 1\n  min 2\n"),
            "/proc/zoneinfo:4: a second 'min' line in zone DMA of node 0");
  EXPECT_EQ(error_of("Node 0, zone DMA\n  pages free 5\n  min 1\n  low 2\nNode 0, zone DMA32\n"),
            "/proc/zoneinfo:1: zone DMA of node 0 has no 'high' line");
  EXPECT_EQ(error_of("Node 0, zone DMA\n  pages free 5\n  min 1\n  low 2\n  high 3\n"
                     "Node 0, zone DMA32\n  min 1\n"),
            "/proc/zoneinfo:6: zone DMA32 of node 0 has no 'pages free' line");
}

}  // namespace
}  // namespace memharness::system::procfs
