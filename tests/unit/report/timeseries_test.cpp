// The time series the HTML report plots, from timeseries.csv text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "harness/report/timeseries.h"

namespace memharness::report {
namespace {

namespace fs = std::filesystem;

class TimeSeriesFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / (std::string("memharness-timeseries-test-") + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    auto path = dir_ / "timeseries.csv";
    std::ofstream(path) << text;
    return path;
  }

 private:
  fs::path dir_;
};

TEST_F(TimeSeriesFile, TornLastRowIsSkippedAndEmptyCellsAreMissing) {
  auto ts =
      read_timeseries(write("time_s,meminfo.MemFree_bytes,psi.some_avg10\n"
                            "0.0,1048576,\n"
                            "0.5,2097152,1.5\n"
                            "1.0,3145"));  // interrupted mid-row
  ASSERT_TRUE(ts);
  ASSERT_EQ(ts->time_s.size(), 2u);
  auto free = free_memory_mib(*ts);
  ASSERT_TRUE(free);
  EXPECT_EQ(free->v, (std::vector<double>{1.0, 2.0}));
  auto psi = psi_avg10(*ts, "some");
  ASSERT_TRUE(psi);
  EXPECT_EQ(psi->t, std::vector<double>{0.5});  // the empty cell is left out, not 0
  EXPECT_FALSE(read_timeseries(write("not,a,timeseries\n1,2,3\n")));
  EXPECT_FALSE(read_timeseries("/nonexistent/timeseries.csv"));
}

TEST_F(TimeSeriesFile, ScanRatePrefersEveryReclaimerAndSkipsCounterResets) {
  auto ts =
      read_timeseries(write("time_s,vmstat.pgscan_kswapd,vmstat.pgscan_direct,vmstat.pgscan_anon,vmstat.pgscan_file\n"
                            "0.0,0,0,100,100\n"
                            "0.5,0,0,300,400\n"
                            "1.0,0,0,50,50\n"  // went backwards: no rate for this step
                            "2.0,0,0,150,150\n"));
  ASSERT_TRUE(ts);
  auto rate = scan_rate_pages_s(*ts);
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->t, (std::vector<double>{0.5, 2.0}));
  EXPECT_EQ(rate->v, (std::vector<double>{1000.0, 200.0}));
  EXPECT_EQ(rate->source, "vmstat.pgscan_anon + vmstat.pgscan_file");
  auto old =
      read_timeseries(write("time_s,vmstat.pgscan_kswapd,vmstat.pgscan_direct,psi.some_total_us\n"
                            "0.0,10,0,0\n1.0,30,5,250000\n"));
  ASSERT_TRUE(old);
  EXPECT_EQ(scan_rate_pages_s(*old)->v, std::vector<double>{25.0});
  EXPECT_EQ(scan_rate_pages_s(*old)->source, "vmstat.pgscan_kswapd + vmstat.pgscan_direct");
  EXPECT_EQ(stall_ms_per_s(*old)->v, std::vector<double>{250.0});
  EXPECT_FALSE(free_memory_mib(*old));  // no MemFree column: no series, not zeros
}

}  // namespace
}  // namespace memharness::report
