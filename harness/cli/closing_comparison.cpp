#include "harness/cli/closing_comparison.h"

#include <unistd.h>

#include <iostream>

namespace memharness::cli {

report::CompareOutcome compare_closing(const std::vector<std::filesystem::path>& runs,
                                       const std::filesystem::path& results_root, const std::string& test,
                                       const analysis::CompareConfig& config, const report::Format& format) {
  report::CompareRequest comparison;
  for (const auto& run : runs) comparison.runs.push_back(run.string());
  comparison.results_root = results_root;
  comparison.test = test;
  comparison.config = config;
  comparison.format = format;
  comparison.render.colour = ::isatty(STDOUT_FILENO) == 1;
  return report::compare_and_render(comparison, std::cout, std::cerr);
}

}  // namespace memharness::cli
