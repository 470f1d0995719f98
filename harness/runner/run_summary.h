#pragma once
// The short summary printed at the end of `memharness run`: workload times,
// memcg reclaim figures, the main vmstat deltas, and where the run directory is.
//
// Each iteration is folded in as it finishes (count, sum, min and max per row),
// so the harness holds the same few rows whether the run has 3 iterations or
// 10,000: no record is kept for the end.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/results/iteration_record.h"
#include "harness/results/run_manifest.h"

namespace memharness::runner {

class RunSummary {
 public:
  RunSummary();

  // Folds one iteration in; only complete iterations count.
  void add(const results::IterationRecord& iteration);

  // The run's line from `manifest`, then mean, min and max of each row over the
  // complete iterations added (no tables when there were none), then where the
  // run directory is.
  void write(std::ostream& out, const results::RunManifest& manifest, const std::filesystem::path& run_directory) const;

 private:
  using Extract = std::function<std::optional<double>(const results::IterationRecord&)>;

  struct Row {
    std::string name;
    Extract value;  // from one iteration record; nullopt: not recorded there
    int decimals = 2;
    int n = 0;
    double sum = 0;
    double min = 0;
    double max = 0;

    void add(const results::IterationRecord& iteration);
  };

  struct Table {
    std::string title;
    std::vector<Row> rows;

    void add(const results::IterationRecord& iteration);
    void write(std::ostream& out) const;
  };

  // Rows for the workload metrics `iteration` is the first to have.
  void discover_workload_metrics(const results::IterationRecord& iteration);

  int complete_ = 0;
  Table workload_;
  Table workload_metrics_;              // in the order the iterations first list them
  std::set<std::string> metrics_seen_;  // their "instance/metric"
  Table memcg_;
  Table tracepoints_;
  Table vmstat_;
};

}  // namespace memharness::runner
