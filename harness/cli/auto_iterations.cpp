#include "harness/cli/auto_iterations.h"

#include <algorithm>
#include <iostream>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "harness/analysis/comparison.h"
#include "harness/common/error.h"
#include "harness/common/units.h"
#include "harness/results/run_reader.h"

namespace memharness::cli {

AutoIterations::AutoIterations(analysis::LookSchedule schedule, std::optional<std::chrono::seconds> budget,
                               analysis::CompareConfig config, std::optional<std::filesystem::path> baseline)
    : schedule_(std::move(schedule)),
      budget_(budget),
      config_(std::move(config)),
      baseline_(std::move(baseline)),
      started_(std::chrono::steady_clock::now()) {}

results::SequentialDesign AutoIterations::design() const {
  return {.alpha = config_.alpha,
          .alpha_per_look = schedule_.alpha_per_look,
          .looks = static_cast<int>(schedule_.looks.size())};
}

std::string AutoIterations::describe() const {
  return fmt::format("--iterations auto: looks at {} iterations{}, each at alpha = {:.3g} ({} looks)",
                     fmt::join(schedule_.looks, ", "),
                     baseline_ ? fmt::format(" against the baseline's {}", baseline_->string()) : " per side",
                     schedule_.alpha_per_look, schedule_.looks.size());
}

std::optional<std::string> AutoIterations::after_round(int rounds,
                                                       const std::vector<std::filesystem::path>& run_directories) {
  if (std::find(schedule_.looks.begin(), schedule_.looks.end(), rounds) != schedule_.looks.end()) {
    std::vector<results::StoredRun> runs;
    if (baseline_) runs.push_back(results::read_run(*baseline_));
    for (const auto& dir : run_directories) runs.push_back(results::read_run(dir));
    auto decision = analysis::decide_at_look(analysis::compare_runs(runs, config_), rounds);
    if (decision.stop) return stopped_because_ = decision.reason;
    std::cout << fmt::format("memharness: --iterations auto: after {} iterations not yet decided: {}\n", rounds,
                             fmt::join(decision.undecided, ", "));
  }
  if (budget_) {
    auto spent = std::chrono::steady_clock::now() - started_;
    auto next_round_done = spent + spent / rounds;
    if (next_round_done > *budget_)
      return stopped_because_ =
                 fmt::format("the time budget of {}s would be spent by another round; stopped after {} iterations",
                             budget_->count(), rounds);
  }
  return std::nullopt;
}

std::string AutoIterations::ending(int max_iterations) const {
  return fmt::format(
      "memharness: --iterations auto: {}\n",
      stopped_because_.empty() ? fmt::format("ran the maximum of {} iterations", max_iterations) : stopped_because_);
}

std::optional<std::chrono::seconds> parse_time_budget(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto duration = parse_duration(text);
  if (!duration || *duration < std::chrono::seconds(1))
    throw usage_error("--time-budget {}: expected a duration like \"30m\"", text);
  return std::chrono::duration_cast<std::chrono::seconds>(*duration);
}

}  // namespace memharness::cli
