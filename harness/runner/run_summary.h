#pragma once
// The short summary printed at the end of `memharness run`: workload times,
// memcg reclaim figures, the main vmstat deltas, and where the run directory is.
#include <filesystem>
#include <iosfwd>
#include <vector>

#include "harness/results/iteration_record.h"
#include "harness/results/run_manifest.h"

namespace memharness::runner {

void write_run_summary(std::ostream& out, const results::RunManifest& manifest,
                       const std::vector<results::IterationRecord>& iteration_records,
                       const std::filesystem::path& run_directory);

}  // namespace memharness::runner
