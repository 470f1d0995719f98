#include "harness/analysis/noise_calibration.h"

#include <cmath>

#include <fmt/core.h>

#include "harness/analysis/metric_catalog.h"
#include "harness/common/error.h"

namespace memharness::analysis {

NoiseCalibration calibrate_noise(const std::vector<results::StoredRun>& runs) {
  NoiseCalibration c;
  if (runs.empty()) throw usage_error("calibrate needs at least one run");
  c.test = runs.front().test();
  c.kernel_release = runs.front().kernel_release();
  std::vector<const results::StoredIteration*> records;
  for (const auto& run : runs) {
    if (run.test() != c.test || run.kernel_release() != c.kernel_release)
      throw usage_error("{}: a run of {} on {}, not of {} on {}: calibrate needs repeats of one test on one kernel",
                        run.path.string(), run.test(), run.kernel_release(), c.test, c.kernel_release);
    ++c.runs;
    for (const auto* it : run.complete_iterations()) {
      records.push_back(it);
      ++c.iterations;
    }
  }
  for (const auto& def : build_catalog(records)) {
    // Relative variance pooled over runs, each about its own mean.
    double relative_ss = 0;
    int df = 0;
    for (const auto& run : runs) {
      std::vector<double> v;
      for (const auto* it : run.complete_iterations())
        if (auto x = def.extract(*it)) v.push_back(*x);
      if (v.size() < 2) continue;
      double mean = 0;
      for (double x : v) mean += x;
      mean /= static_cast<double>(v.size());
      if (mean == 0) continue;
      for (double x : v) relative_ss += (x - mean) * (x - mean) / (mean * mean);
      df += static_cast<int>(v.size()) - 1;
    }
    if (df == 0) continue;
    c.cov_pct[def.id] = 100 * std::sqrt(relative_ss / df);
    c.degrees[def.id] = df;
  }
  return c;
}

std::string noise_config_toml(const NoiseCalibration& c) {
  std::string out = fmt::format(
      "# memharness calibrate: run-to-run noise of {} on {} from {} run(s), {} iteration(s).\n"
      "# A compare config: pass it to `memharness compare --config` (add your own keys to it).\n"
      "noise_source = \"calibration of {} on {} ({} runs, {} iterations)\"\n",
      c.test, c.kernel_release, c.runs, c.iterations, c.test, c.kernel_release, c.runs, c.iterations);
  for (const auto& [id, cov] : c.cov_pct)
    out +=
        fmt::format("\n[metric.\"{}\"]\nnoise_cov_pct = {:.3f}  # {} degrees of freedom\n", id, cov, c.degrees.at(id));
  return out;
}

}  // namespace memharness::analysis
