#include "harness/system/procfs/psi.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;
using testing::procfs_fixture;
using testing::TempRoot;

TEST(ParsePsi, SomeAndFull) {
  Psi psi = parse_psi(procfs_fixture("psi-some-full"), "memory.pressure");
  EXPECT_DOUBLE_EQ(psi.some.avg10, 12.34);
  EXPECT_DOUBLE_EQ(psi.some.avg60, 5.67);
  EXPECT_DOUBLE_EQ(psi.some.avg300, 1.02);
  EXPECT_EQ(psi.some.total_us, 98765432);
  ASSERT_TRUE(psi.full.has_value());
  EXPECT_DOUBLE_EQ(psi.full->avg10, 3.21);
  EXPECT_DOUBLE_EQ(psi.full->avg60, 1.0);
  EXPECT_DOUBLE_EQ(psi.full->avg300, 0.25);
  EXPECT_EQ(psi.full->total_us, 12345678);
}

TEST(ParsePsi, WithoutFullLineAsOldCpuFiles) {
  Psi psi = parse_psi(procfs_fixture("psi-some-only"), "/proc/pressure/cpu");
  EXPECT_DOUBLE_EQ(psi.some.avg10, 1.5);
  EXPECT_EQ(psi.some.total_us, 123456);
  EXPECT_FALSE(psi.full.has_value());
}

TEST(ParsePsi, Errors) {
  auto message = [](std::string_view text) -> std::string {
    try {
      parse_psi(text, "memory.pressure");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::environment);
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message("some avg10=0.00 avg60=0.00 avg300=0.00\n"),
            "memory.pressure:1: expected 'some avg10=.. avg60=.. avg300=.. total=..', got "
            "'some avg10=0.00 avg60=0.00 avg300=0.00'");
  EXPECT_EQ(message("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\npartial avg10=1\n"),
            "memory.pressure:2: expected a 'some' or 'full' line, got 'partial avg10=1'");
  EXPECT_EQ(message("some avg10=x avg60=0.00 avg300=0.00 total=1\n"),
            "memory.pressure:1: expected avg10=PERCENT, got 'avg10=x'");
  EXPECT_EQ(message("some avg10=0 avg60=0 avg300=0 total=1 total=2\n"), "memory.pressure:1: total appears twice");
  EXPECT_EQ(message("some avg10=0 avg60=0 avg300=0 total=1 avg5=0\n"), "memory.pressure:1: unknown field 'avg5=0'");
  EXPECT_EQ(message("some avg10 avg60=0 avg300=0 total=1\n"), "memory.pressure:1: expected KEY=VALUE, got 'avg10'");
  EXPECT_EQ(message("full avg10=0 avg60=0 avg300=0 total=1\n"), "memory.pressure: no 'some' line");
  EXPECT_EQ(message("some avg10=0 avg60=0 avg300=0 total=1\nsome avg10=0 avg60=0 avg300=0 total=1\n"),
            "memory.pressure:2: second 'some' line");
}

TEST(ReadMemoryPsi, Linux618Capture) {
  auto psi = read_memory_psi(SystemRoot(kernel_root("6.18")));
  ASSERT_TRUE(psi.has_value());
  EXPECT_DOUBLE_EQ(psi->some.avg10, 0.0);
  EXPECT_EQ(psi->some.total_us, 8211);
  ASSERT_TRUE(psi->full.has_value());
  EXPECT_EQ(psi->full->total_us, 6828);
}

TEST(ReadMemoryPsi, MissingFileMeansNoPsi) {
  TempRoot root;
  EXPECT_FALSE(read_memory_psi(SystemRoot(root.path())).has_value());
}

TEST(ReadPsi, CgroupPressureFile) {
  TempRoot root;
  root.write("/sys/fs/cgroup/test/memory.pressure", procfs_fixture("psi-some-full"));
  auto psi = read_psi(SystemRoot(root.path()), "/sys/fs/cgroup/test/memory.pressure");
  ASSERT_TRUE(psi.has_value());
  EXPECT_EQ(psi->some.total_us, 98765432);
}

TEST(ReadPsi, UnreadableFileIsAnErrorNotMissingPsi) {
  // A directory in place of the file: open works, read fails with EISDIR -- a real
  // failure, unlike EOPNOTSUPP (PSI disabled), so it must not read as "no PSI".
  TempRoot root;
  std::filesystem::create_directories(root.path() / "proc/pressure/memory");
  try {
    read_memory_psi(SystemRoot(root.path()));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_NE(std::string(e.what()).find("Is a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace memharness::system::procfs
