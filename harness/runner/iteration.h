#pragma once
// One iteration of a test: a fresh memory cgroup with the test's limits, start
// snapshots, the time-series sampler, every phase in sequence (the workloads of
// a phase concurrently), end snapshots, and iterations/<n>/result.json.
#include <filesystem>
#include <stop_token>

#include "harness/config/test_plan.h"
#include "harness/results/iteration_record.h"
#include "harness/system/cgroup.h"

namespace memharness::system {
class SystemRoot;
class Journal;
}  // namespace memharness::system

namespace memharness::runner {

class Progress;

struct IterationSetup {
  const system::SystemRoot& system;
  const system::MemoryController& controller;
  system::Journal& journal;
  const config::TestPlan& plan;
  system::MemoryLimits limits;
  std::stop_token stop;
  Progress& progress;
};

// Runs iteration `number` with its files in `dir`; returns the record written to
// dir/result.json ("status": "complete", "failed" or "interrupted").
results::IterationRecord run_iteration(const IterationSetup& setup, int number, const std::filesystem::path& dir);

}  // namespace memharness::runner
