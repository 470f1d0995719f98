#include "harness/system/procfs/process_status.h"

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "tests/unit/procfs/procfs_fixtures.h"

namespace memharness::system::procfs {
namespace {

using testing::kernel_root;

TEST(ProcessStatus, ReadsPeakAndCurrentResidentSetFromACapturedStatus) {
  auto memory = read_own_memory(SystemRoot(kernel_root("6.18")));
  EXPECT_EQ(memory.peak_rss_kb, 1752);
  EXPECT_EQ(memory.rss_kb, 1752);
}

TEST(ProcessStatus, AKernelThreadHasNoVmLines) {
  auto memory = parse_process_memory("Name:\tkthreadd\nState:\tS (sleeping)\nKthread:\t1\n", "status");
  EXPECT_FALSE(memory.peak_rss_kb);
  EXPECT_FALSE(memory.rss_kb);
}

TEST(ProcessStatus, OtherLinesAreNotParsed) {
  // "Groups:" is empty and "Cpus_allowed_list:" is a range: neither matters here.
  auto memory = parse_process_memory("Groups:\t \nCpus_allowed_list:\t0-1\nVmHWM:\t  20 kB\n", "status");
  EXPECT_EQ(memory.peak_rss_kb, 20);
  EXPECT_FALSE(memory.rss_kb);
}

TEST(ProcessStatus, AMalformedMemoryLineNamesTheFileAndLine) {
  for (const char* text : {"VmHWM:\t20\n", "VmHWM:\t20 MB\n", "VmHWM:\t-1 kB\n", "VmHWM:\tx kB\n", "VmRSS:\t1 kB 2\n",
                           "VmHWM:\t1 kB\nVmHWM:\t2 kB\n"})
    EXPECT_THROW(parse_process_memory(text, "status"), Error) << text;
  try {
    parse_process_memory("Name:\tx\nVmHWM:\t20 MB\n", "/proc/self/status");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_STREQ(e.what(), "/proc/self/status:2: expected 'VmHWM: N kB', got 'VmHWM:\t20 MB'");
  }
}

}  // namespace
}  // namespace memharness::system::procfs
