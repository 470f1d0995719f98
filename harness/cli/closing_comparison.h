#pragma once
// The comparison `run` (several targets) and `nightly` (each test against its
// baseline) end with: the runs a test session returned, compared and rendered
// to stdout like `memharness compare`, warnings on stderr.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/analysis/compare_config.h"
#include "harness/report/compare_runs.h"

namespace memharness::cli {

// `runs`: run directories, baseline first; `test`: the test they ran.
report::CompareOutcome compare_closing(const std::vector<std::filesystem::path>& runs,
                                       const std::filesystem::path& results_root, const std::string& test,
                                       const analysis::CompareConfig& config,
                                       const report::Format& format = report::Format::text);

}  // namespace memharness::cli
