#pragma once
// Thresholds of compare's verdicts and which metrics gate, from TOML
// (docs/compare.md "Configuration"; an example is docs/compare.example.toml):
//
//   alpha = 0.01            # significance level of the two-sided Welch t-test
//   min_iterations = 3      # fewer on either side: "N iterations: no verdict"
//   min_effect_pct = 5      # default minimum effect for metrics that do not set one
//   [metric."vmstat.pgscan_direct"]
//   gates = true
//   min_effect_pct = 10
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace memharness::analysis {

struct MetricPolicy {
  std::optional<bool> gates;
  std::optional<double> min_effect_pct;
};

struct CompareConfig {
  double alpha = 0.01;
  int min_iterations = 3;
  std::optional<double> min_effect_pct;  // overrides every catalog default when set
  std::map<std::string, MetricPolicy> metrics;  // by metric id
};

// Throws usage_error "FILE:LINE:COL: ..." on a bad value or unknown key.
CompareConfig load_compare_config(const std::filesystem::path& file);
CompareConfig parse_compare_config(const std::string& text, const std::string& source_name);

}  // namespace memharness::analysis
