#pragma once
// The on-disk record of one run:
//
//   <results>/<label>/<test>/<timestamp>/
//     manifest.json          what ran where (results/run_manifest.h); "status"
//                            is running -> complete | incomplete | failed
//     config.toml            the config file as given
//     iterations/<n>/        one directory per iteration: result.json
//                            (results/iteration_record.h), tracepoints.json
//                            (results/tracepoints_document.h), time series, snapshots
//
// The records' schema: docs/run-records.md.
//
// Label first, so that `compare results/<label>` and "newest run under a label"
// are a directory listing; the timestamp sorts chronologically.
#include <chrono>
#include <filesystem>
#include <string>

#include "harness/results/run_manifest.h"

namespace memharness::results {

// Labels and test names become path components: [A-Za-z0-9._+-]+, not "." or "..".
bool is_valid_path_component(const std::string& name);

class RunDirectory {
 public:
  // Creates the directory (a "-2", "-3" suffix if two runs start in the same second).
  static RunDirectory create(const std::filesystem::path& results_root, const std::string& label,
                             const std::string& test, std::chrono::system_clock::time_point now);

  const std::filesystem::path& path() const { return path_; }
  // Creates iterations/<n>/ and returns it.
  std::filesystem::path make_iteration_dir(int iteration) const;
  void write_manifest(const RunManifest& manifest) const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// "2026-11-22T04-10-33Z": ISO 8601 in UTC, with '-' for ':' so it is a valid and
// sortable file name everywhere.
// (The ISO 8601 form with ':' is common/utc_time.h's timestamp_iso8601.)
std::string timestamp_for_path(std::chrono::system_clock::time_point when);

}  // namespace memharness::results
