// highalloc's passes on a fake tree (the 6.18 capture): no load (load = 0),
// hugetlb attempts that the fake nr_hugepages file always grants. What is
// checked: compact_memory is written between the passes only when the config
// asks, and each pass's fragmentation figures reach the metrics and
// fragmentation.json.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/system/system_root.h"
#include "workloads/registry.h"

namespace memharness::workloads {
namespace {

namespace fs = std::filesystem;

class HighAllocPassesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto capture = fs::path(MEMHARNESS_FIXTURE_DIR) / "kernels" / "6.18" / "proc";
    fs::create_directories(root_.path() / "proc" / "sys" / "vm");
    for (const char* file : {"meminfo", "zoneinfo", "buddyinfo", "pagetypeinfo", "vmstat"})
      fs::copy_file(capture / file, root_.path() / "proc" / file);
    std::ofstream(root_.path() / "proc/sys/vm/nr_hugepages") << "0\n";
    fs::create_directories(output_.path() / "out");
    fs::create_directories(output_.path() / "scratch");
  }

  // Runs the workload; returns its result and timeline.json's event names.
  WorkloadResult run(bool compact_between_passes) {
    ResolvedParams params;
    params.set("method", std::string("hugetlb"));
    params.set("thp-enabled", std::string("keep"));
    params.set("thp-defrag", std::string("keep"));
    params.set("scope", std::string("cgroup"));
    params.set("attempt", std::int64_t{2} << 21);  // two huge pages a pass
    params.set("rate", std::int64_t{1} << 30);
    params.set("load", std::int64_t{0});
    params.set("load-anon-percent", std::int64_t{50});
    params.set("load-warmup", std::chrono::nanoseconds(0));
    params.set("directory", (output_.path() / "scratch").string());
    params.set("compact-between-passes", compact_between_passes);
    const auto* spec = WorkloadRegistry::instance().find("highalloc");
    EXPECT_NE(spec, nullptr);
    auto workload = spec->create(params);
    WorkloadContext context{
        .system = system_,
        .instance_name = "highalloc",
        .output_dir = output_.path() / "out",
        .cgroup_procs_file = {},
        .cgroup = nullptr,
        .deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1),
        .stop = {},
        .journaled_write = [this](const std::string& path, const std::string&) { journaled_.push_back(path); },
        .journaled_scratch_directory = {}};
    auto result = workload->run(context);
    const auto timeline = nlohmann::json::parse(read_file_text(output_.path() / "out" / "timeline.json"));
    for (const auto& event : timeline.at("events"))
      events_.push_back(event.at("event") == "pass-start" || event.at("event") == "pass-end"
                            ? event.at("event").get<std::string>() + " " + event.at("pass").get<std::string>()
                            : event.at("event").get<std::string>());
    return result;
  }

  fs::path compact_memory() const { return root_.path() / "proc/sys/vm/compact_memory"; }

  TemporaryDirectory root_{"memharness-highalloc-root-"};
  TemporaryDirectory output_{"memharness-highalloc-out-"};
  system::SystemRoot system_{root_.path()};
  std::vector<std::string> journaled_;
  std::vector<std::string> events_;
};

TEST_F(HighAllocPassesTest, CompactsBeforePass2AndBeforeAtRestWhenAsked) {
  auto result = run(true);
  ASSERT_TRUE(result.succeeded) << result.failure;
  EXPECT_EQ(read_file_text(compact_memory()), "1");
  const std::vector<std::string> expected = {
      "load-start",     "warmup-end",   "pass-start pass1", "pass-end pass1", "compact-memory",     "pass-start pass2",
      "pass-end pass2", "load-stopped", "caches-dropped",   "compact-memory", "pass-start at-rest", "pass-end at-rest"};
  EXPECT_EQ(events_, expected);
  EXPECT_EQ(result.details.at("compact_memory_s").size(), 2u);
  // A trigger, not a setting: only the hugetlb pool is journaled.
  EXPECT_EQ(journaled_, std::vector<std::string>{"/proc/sys/vm/nr_hugepages"});
}

TEST_F(HighAllocPassesTest, NeverCompactsUnlessAsked) {
  auto result = run(false);
  ASSERT_TRUE(result.succeeded) << result.failure;
  EXPECT_FALSE(fs::exists(compact_memory()));
  EXPECT_EQ(std::count(events_.begin(), events_.end(), "compact-memory"), 0);
  EXPECT_EQ(events_.size(), 10u);  // the timeline was read: the other events are there
  EXPECT_FALSE(result.details.contains("compact_memory_s"));
}

TEST_F(HighAllocPassesTest, EveryPassRecordsItsFragmentationFigures) {
  auto result = run(false);
  ASSERT_TRUE(result.succeeded) << result.failure;
  // The fake tree's buddyinfo does not move: every pass starts from the
  // capture's 1794 order-9 blocks (pass_fragmentation_test.cpp).
  for (const char* pass : {"pass1", "pass2", "at-rest"}) {
    std::string p = pass;
    EXPECT_EQ(result.metrics.at(p + "-order9-free-blocks"), 1794) << pass;
    EXPECT_DOUBLE_EQ(result.metrics.at(p + "-order9-unusable-index").get<double>(), 0.024) << pass;
    EXPECT_EQ(result.metrics.at(p + "-pageblocks-movable"), 2032) << pass;
    EXPECT_EQ(result.metrics.at(p + "-compact-stall"), 0) << pass;
  }
  EXPECT_EQ(result.details.at("huge_page_order"), 9);
  auto fragmentation = nlohmann::json::parse(read_file_text(output_.path() / "out" / "fragmentation.json"));
  EXPECT_EQ(fragmentation.at("order"), 9);
  ASSERT_EQ(fragmentation.at("passes").size(), 3u);
  EXPECT_EQ(fragmentation.at("passes").at(2).at("pass"), "at-rest");
  EXPECT_TRUE(fragmentation.at("passes").at(0).at("after").contains("buddyinfo"));
}

}  // namespace
}  // namespace memharness::workloads
