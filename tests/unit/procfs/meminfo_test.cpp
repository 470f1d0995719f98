#include "harness/system/procfs/meminfo.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;

TEST(ParseMeminfo, ConvertsKilobytesToBytesAndKeepsHugePageCounts) {
  CounterMap fields = parse_meminfo(
      "MemTotal:       24684084 kB\n"
      "Active(anon):       1524 kB\n"
      "HugePages_Total:      16\n"
      "HugePages_Free:        4\n"
      "Hugepagesize:       2048 kB\n");
  EXPECT_EQ(fields, (CounterMap{{"MemTotal", 24684084LL * 1024},
                                {"Active(anon)", 1524 * 1024},
                                {"HugePages_Total", 16},
                                {"HugePages_Free", 4},
                                {"Hugepagesize", 2048 * 1024}}));
}

TEST(ParseMeminfo, UnknownUnitIsAnError) {
  try {
    parse_meminfo("MemTotal: 100 kB\nMemFree: 5 MB\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(e.what(), "/proc/meminfo:2: unknown unit 'MB' for MemFree");
  }
}

TEST(ParseMeminfo, MalformedLinesAreErrors) {
  for (const char* text : {"MemTotal 100 kB\n", "MemTotal:\n", "Mem Total: 1 kB\n", "MemTotal: 1 kB extra\n",
                           ": 1 kB\n", "MemTotal: -1 kB\n", "MemTotal: 1 kB\nMemTotal: 2 kB\n"}) {
    EXPECT_THROW(parse_meminfo(text), Error) << text;
  }
}

TEST(ParseMeminfo, MalformedLineMessage) {
  try {
    parse_meminfo("MemTotal: 1 kB\nMemFree 1 kB\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/proc/meminfo:2: expected 'Name: value [kB]', got 'MemFree 1 kB'");
  }
}

TEST(ParseMeminfo, OverflowingSizeIsAnError) {
  EXPECT_THROW(parse_meminfo("VmallocTotal: 9223372036854775807 kB\n"), Error);
}

TEST(ReadMeminfo, Linux618Capture) {
  CounterMap fields = read_meminfo(SystemRoot(kernel_root("6.18")));
  EXPECT_EQ(fields.at("MemTotal"), 24684084LL * 1024);
  EXPECT_EQ(fields.at("MemFree"), 24165460LL * 1024);
  EXPECT_EQ(fields.at("Active(file)"), 89928LL * 1024);
  EXPECT_EQ(fields.at("SwapTotal"), 0);
  EXPECT_EQ(fields.at("VmallocTotal"), 34359738367LL * 1024);
  EXPECT_EQ(fields.at("HugePages_Total"), 0);
  EXPECT_EQ(fields.at("Hugepagesize"), 2 * 1024 * 1024);
  EXPECT_EQ(fields.size(), 54u);
}

}  // namespace
}  // namespace memharness::system::procfs
