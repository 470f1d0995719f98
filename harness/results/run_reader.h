#pragma once
// Reads run directories back (the writer is runner/host_run.cpp and
// runner/iteration.cpp; layout in run_directory.h, records in
// docs/run-records.md). Analysis and report read runs only through this,
// never the live system.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/iteration_record.h"
#include "harness/results/run_manifest.h"
#include "harness/results/tracepoints_document.h"

namespace memharness::results {

struct StoredIteration {
  int number = 0;
  IterationRecord record;  // result.json; its "status": complete, failed, interrupted
  // tracepoints.json, when the iteration has one (record.tracepoints holds only its headline figures).
  std::optional<TracepointsDocument> tracepoints;

  const std::string& status() const { return record.status; }
};

struct StoredRun {
  std::filesystem::path path;
  RunManifest manifest;
  std::vector<StoredIteration> iterations;  // sorted by number; every iteration with a result.json

  std::string label() const;
  std::string test() const;
  std::string status() const;
  std::string kernel_release() const;
  // Iterations whose status is "complete": the only ones statistics use.
  std::vector<const StoredIteration*> complete_iterations() const;
};

// Reads one run directory. Throws usage_error naming the path and what is wrong
// (no manifest.json, invalid JSON, an unreadable result.json, a member of the
// wrong type, a schema_version this harness does not read).
StoredRun read_run(const std::filesystem::path& run_dir);

bool is_run_directory(const std::filesystem::path& dir);

// The labels stored under results_root (its directories), sorted.
std::vector<std::string> list_labels(const std::filesystem::path& results_root);
// The tests stored under results_root/<label> (its directories), sorted.
std::vector<std::string> list_tests(const std::filesystem::path& results_root, const std::string& label);
// The run directories of `test` under results_root/<label>/<test>/, oldest
// first (timestamps sort chronologically); none when nothing is stored there.
std::vector<std::filesystem::path> list_runs(const std::filesystem::path& results_root, const std::string& label,
                                             const std::string& test);
// read_run of each of list_runs: a history of one test under one label.
std::vector<StoredRun> read_runs(const std::filesystem::path& results_root, const std::string& label,
                                 const std::string& test);

// Resolves a command-line argument to a run directory:
//  - a run directory (holds manifest.json): itself;
//  - a directory results/<label> or results/<label>/<test>: the newest complete run below it;
//  - otherwise a label stored under results_root: the newest complete run of
//    results_root/<label>/<test>/ (test, when empty, must be unambiguous).
// "Newest" is by directory name (timestamps sort chronologically). Throws
// usage_error naming what was searched when nothing matches.
std::filesystem::path resolve_run(const std::string& run_or_label, const std::filesystem::path& results_root,
                                  const std::string& test = "");

// The newest run with status "complete" in results_root/<label>/<test>/ (every test
// when test is empty; an error if complete runs of several tests are stored there).
std::filesystem::path newest_complete_run(const std::filesystem::path& label_dir, const std::string& test);

}  // namespace memharness::results
