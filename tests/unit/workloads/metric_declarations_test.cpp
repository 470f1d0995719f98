// Workloads declare their metrics (WorkloadSpec::metrics). Compare reads the
// declarations from result.json and falls back to the old name rules
// (analysis/metric_names.h) for records without them; for every metric the
// workloads record, the two must agree, or a new run would compare
// differently from an old one of the same workload.
#include <gtest/gtest.h>

#include "harness/analysis/metric_names.h"
#include "workloads/registry.h"

namespace memharness::workloads {
namespace {

TEST(MetricPattern, PlaceholdersStandForOneOrMoreCharacters) {
  EXPECT_TRUE(matches_metric_pattern("threads-{threads}-mb-per-s", "threads-16-mb-per-s"));
  EXPECT_TRUE(matches_metric_pattern("{pass}-success-pct", "at-rest-success-pct"));
  EXPECT_TRUE(matches_metric_pattern("kernbench-{i}-build-{b}-sys-s", "kernbench-2-build-10-sys-s"));
  EXPECT_FALSE(matches_metric_pattern("threads-{threads}-mb-per-s", "threads--mb-per-s"));
  EXPECT_FALSE(matches_metric_pattern("{pass}-success-pct", "pass1-success-pct-max"));
  EXPECT_FALSE(matches_metric_pattern("builds-completed", "builds-completed-2"));
  EXPECT_FALSE(matches_metric_pattern("{unclosed", "{unclosed"));
}

// Every metric name the workloads write (see each workload's run()), with
// example values for the families.
const std::vector<std::pair<std::string, std::vector<std::string>>> kRecordedMetrics = {
    {"anon-dirty",
     {"vmstat-pswpin",
      "vmstat-pswpout",
      "memcg-pswpin",
      "memcg-pswpout",
      "dirtied-mib",
      "pages-dirtied",
      "dirty-passes",
      "dirty-elapsed-s",
      "dirty-rate-mib-per-s",
      "target-rate-mib-per-s",
      "behind-schedule-s",
      "completed-work-pct",
      "stress-ng-exit-status",
      "vm-bogo-ops",
      "vm-bogo-ops-per-second-real-time",
      "vm-bogo-ops-per-second-usr-sys-time",
      "vm-wall-clock-time",
      "vm-user-time",
      "vm-system-time",
      "vm-max-rss"}},
    {"dd-writeback", {"threads-4-elapsed-s", "threads-4-mb-per-s", "threads-64-mb-per-s", "bytes-written-mib"}},
    {"highalloc",
     {"pass1-success-pct", "pass2-success-pct", "at-rest-success-pct", "pass1-latency-p50-ms", "pass2-latency-p90-ms",
      "at-rest-latency-p99-ms", "pass1-latency-max-ms"}},
    {"kernbench", {"build-1-elapsed-s", "build-12-user-s", "build-3-sys-s", "builds-completed"}},
    {"pressure-oom",
     {"all-survived", "survived-pct", "kernbench-1-survived", "dd-writeback-survived", "anon-dirty-survived",
      "vmstat-oom-kill", "memcg-oom-kill", "vmstat-pswpin", "memcg-pswpout", "kernbench-2-build-1-elapsed-s",
      "kernbench-1-builds-completed", "dd-writeback-threads-8-mb-per-s", "dd-writeback-bytes-written-mib",
      "anon-dirty-vm-bogo-ops-per-second-real-time", "anon-dirty-vm-bogo-ops", "anon-dirty-stress-ng-exit-status",
      "anon-dirty-vmstat-pswpout", "anon-dirty-completed-work-pct"}},
};

TEST(MetricDeclarations, EveryRecordedMetricIsDeclaredAsItsNameWasRead) {
  for (const auto& [type, names] : kRecordedMetrics) {
    const auto* spec = WorkloadRegistry::instance().find(type);
    ASSERT_NE(spec, nullptr) << type;
    for (const auto& name : names) {
      auto declared = declared_metric(*spec, name);
      ASSERT_TRUE(declared) << type << ": " << name << " is not declared";
      auto by_name = analysis::declaration_from_name(name);
      EXPECT_EQ(declared->unit, by_name.unit) << type << ": " << name;
      EXPECT_EQ(declared->better == Better::higher, by_name.higher_is_better) << type << ": " << name;
      EXPECT_EQ(declared->gates, by_name.gates) << type << ": " << name;
      EXPECT_EQ(declared->harmonic_mean, by_name.harmonic_mean) << type << ": " << name;
    }
  }
}

TEST(MetricDeclarations, EveryRegisteredWorkloadIsCoveredAbove) {
  for (const auto* spec : WorkloadRegistry::instance().all()) {
    bool listed = false;
    for (const auto& [type, names] : kRecordedMetrics) listed = listed || type == spec->name;
    EXPECT_TRUE(listed) << spec->name << " records metrics this test does not check";
    EXPECT_FALSE(spec->metrics.empty()) << spec->name << " declares no metrics";
  }
}

// Metrics newer than the declarations, which no record ever read by name:
// their declarations are their only reading.
TEST(MetricDeclarations, HighallocFragmentationFiguresPerPass) {
  const auto* spec = WorkloadRegistry::instance().find("highalloc");
  ASSERT_NE(spec, nullptr);
  const std::pair<const char*, Better> expected[] = {
      {"pass1-order9-free-blocks", Better::higher},    {"at-rest-order13-unusable-index", Better::lower},
      {"pass2-pageblocks-unmovable", Better::lower},   {"pass2-pageblocks-movable", Better::higher},
      {"pass1-pageblocks-reclaimable", Better::lower}, {"at-rest-compact-stall", Better::lower},
      {"pass2-compact-success", Better::higher},       {"pass1-compact-fail", Better::lower},
  };
  for (const auto& [name, better] : expected) {
    auto declared = declared_metric(*spec, name);
    ASSERT_TRUE(declared) << name;
    EXPECT_EQ(declared->better, better) << name;
    EXPECT_FALSE(declared->gates) << name;
    EXPECT_FALSE(declared->harmonic_mean) << name;
  }
  EXPECT_FALSE(declared_metric(*spec, "pass1-compact-migrate-scanned"));
}

TEST(MetricDeclarations, AnUndeclaredNameHasNoDeclaration) {
  const auto* spec = WorkloadRegistry::instance().find("dd-writeback");
  ASSERT_NE(spec, nullptr);
  EXPECT_FALSE(declared_metric(*spec, "threads-4-iops"));
  // A component's metric is declared only under its prefix.
  const auto* mix = WorkloadRegistry::instance().find("pressure-oom");
  ASSERT_NE(mix, nullptr);
  EXPECT_FALSE(declared_metric(*mix, "threads-4-mb-per-s"));
  EXPECT_TRUE(declared_metric(*mix, "dd-writeback-threads-4-mb-per-s"));
}

}  // namespace
}  // namespace memharness::workloads
