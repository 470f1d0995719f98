#pragma once
// `memharness calibrate`: each metric's run-to-run noise on this machine and
// kernel, measured from stored A/A runs (the same test, kernel and config run
// again and again), written as a compare config (`noise_source` and per metric
// `noise_cov_pct`) that compare then uses for the "detectable" figure of its
// verdicts (docs/compare.md "Verdict"). A few iterations of two runs estimate
// the noise poorly; many stored repeats estimate it well.
#include <map>
#include <string>
#include <vector>

#include "harness/results/run_reader.h"

namespace memharness::analysis {

struct NoiseCalibration {
  std::string test;
  std::string kernel_release;
  int runs = 0;
  int iterations = 0;                     // complete iterations over all runs
  std::map<std::string, double> cov_pct;  // metric id -> pooled coefficient of variation, percent
  std::map<std::string, int> degrees;     // metric id -> degrees of freedom behind it
};

// Pools each metric's within-run variance over the runs (each run's own mean, so
// drift between runs does not count as noise). Metrics with a zero mean or fewer
// than two values in every run are left out. Throws usage_error when the runs
// are of different tests or kernels.
NoiseCalibration calibrate_noise(const std::vector<results::StoredRun>& runs);

// The calibration as a compare config (TOML).
std::string noise_config_toml(const NoiseCalibration& calibration);

}  // namespace memharness::analysis
