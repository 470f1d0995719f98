#pragma once
// The short summary printed at the end of `memharness run`: workload times,
// memcg reclaim figures, the main vmstat deltas, and where the run directory is.
#include <filesystem>
#include <iosfwd>
#include <vector>

#include <nlohmann/json.hpp>

namespace memharness::runner {

void write_run_summary(std::ostream& out, const nlohmann::json& manifest,
                       const std::vector<nlohmann::json>& iteration_records,
                       const std::filesystem::path& run_directory);

}  // namespace memharness::runner
