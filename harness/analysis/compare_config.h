#pragma once
// Thresholds of compare's verdicts and which metrics gate, from TOML
// (docs/compare.md "Configuration"; an example is docs/compare.example.toml):
//
//   alpha = 0.01            # family-wise false-alarm rate of the gating verdict
//   fdr_q = 0.05            # false discovery rate of the other significant changes
//   min_iterations = 5      # fewer on either side: "N iterations: not judged"
//   min_effect_pct = 5      # default minimum effect for metrics that do not set one
//   max_lost_events = 0     # more lost tracepoint events in an iteration: its tracepoint gates are not judged
//   max_unpaired_ends = 16  # more reclaim/compaction ends without a begin in an iteration: the same
//   [metric."vmstat.pgscan_direct"]
//   gates = true
//   min_effect_pct = 10
//   min_effect_abs = 256    # the floor when the baseline's mean is 0 (no percentage exists)
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace memharness::analysis {

struct MetricPolicy {
  std::optional<bool> gates;
  std::optional<double> min_effect_pct;
  std::optional<double> min_effect_abs;
};

struct CompareConfig {
  double alpha = 0.01;  // family-wise over the gating metrics of one comparison
  double fdr_q = 0.05;  // Benjamini-Hochberg over the other metrics
  // Below 5 per side a permutation test cannot reach p < 0.01 at all (4 against
  // 4: 1/70); see docs/compare.md "Statistics".
  int min_iterations = 5;
  std::optional<double> min_effect_pct;  // overrides every catalog default when set
  std::uint64_t max_lost_events = 0;
  std::uint64_t max_unpaired_ends = 16;
  std::map<std::string, MetricPolicy> metrics;  // by metric id
  // Run-to-run noise per metric id (coefficient of variation, %), from
  // `memharness calibrate`; used for "detectable" when present.
  std::map<std::string, double> noise_cov_pct;
  std::string noise_source;  // where noise_cov_pct came from, for the reports
};

// Throws usage_error "FILE:LINE:COL: ..." on a bad value or unknown key.
CompareConfig load_compare_config(const std::filesystem::path& file);
CompareConfig parse_compare_config(const std::string& text, const std::string& source_name);

}  // namespace memharness::analysis
