#pragma once
// `--iterations auto` (analysis/sequential.h) for `run` and `nightly`: after
// each round, compare at the looks the schedule fixed and stop once every
// gating metric is decided, or when the time budget would be spent.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/analysis/compare_config.h"
#include "harness/analysis/sequential.h"
#include "harness/results/run_manifest.h"
#include "harness/runner/early_stop.h"

namespace memharness::cli {

class AutoIterations : public runner::EarlyStop {
 public:
  // `baseline`: a stored run the rounds' run directories are compared with
  // (a nightly run against last-good); empty when the rounds compare among
  // themselves (interleaved kernels). Each look compares at the schedule's
  // alpha per look: the runs' manifests record the looks (design()), and
  // compare divides `config`'s alpha by them (analysis/comparison.h).
  AutoIterations(analysis::LookSchedule schedule, std::optional<std::chrono::seconds> budget,
                 analysis::CompareConfig config, std::optional<std::filesystem::path> baseline = std::nullopt);

  // The comparison config, for the closing comparison (at the alpha of a look,
  // from the manifests' record of the looks).
  const analysis::CompareConfig& config() const { return config_; }
  // The looks as each manifest records them, so that a later compare tests at
  // the alpha of a look too.
  results::SequentialDesign design() const override;
  // Why the run stopped before its maximum; empty when it did not.
  const std::string& stopped_because() const { return stopped_because_; }
  std::string describe() const override;
  // Prints the undecided metrics at a look that does not stop.
  std::optional<std::string> after_round(int rounds,
                                         const std::vector<std::filesystem::path>& run_directories) override;
  // The line that says how the run ended: why it stopped, or that it ran the maximum.
  std::string ending(int max_iterations) const override;

 private:
  analysis::LookSchedule schedule_;
  std::optional<std::chrono::seconds> budget_;
  analysis::CompareConfig config_;
  std::optional<std::filesystem::path> baseline_;
  std::chrono::steady_clock::time_point started_;
  std::string stopped_because_;
};

// --time-budget: empty is none; throws usage_error naming the option.
std::optional<std::chrono::seconds> parse_time_budget(const std::string& text);

}  // namespace memharness::cli
