#include "harness/results/run_directory.h"

#include <ctime>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/common/utc_time.h"

namespace memharness::results {

bool is_valid_path_component(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string timestamp_for_path(std::chrono::system_clock::time_point when) {
  std::tm tm = utc_calendar(when);
  return fmt::format("{:04}-{:02}-{:02}T{:02}-{:02}-{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

RunDirectory RunDirectory::create(const std::filesystem::path& results_root, const std::string& label,
                                  const std::string& test, std::chrono::system_clock::time_point now) {
  if (!is_valid_path_component(label))
    throw usage_error("label \"{}\": expected letters, digits and . _ + - only", label);
  if (!is_valid_path_component(test))
    throw usage_error("test name \"{}\": expected letters, digits and . _ + - only", test);
  // Absolute: workloads run with their output directory as the working
  // directory, so a relative path (the default "results") would point elsewhere
  // for them (stress-ng's --yaml file, for one).
  auto parent = std::filesystem::absolute(results_root).lexically_normal() / label / test;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw environment_error("cannot create results directory {}: {}", parent.string(), ec.message());
  std::string stamp = timestamp_for_path(now);
  for (int attempt = 1; attempt < 1000; ++attempt) {
    auto candidate = parent / (attempt == 1 ? stamp : fmt::format("{}-{}", stamp, attempt));
    // create_directory returns false (no error) when it already exists.
    if (std::filesystem::create_directory(candidate, ec)) return RunDirectory(candidate);
    if (ec) throw environment_error("cannot create run directory {}: {}", candidate.string(), ec.message());
  }
  throw environment_error("cannot find a free run directory name under {}", parent.string());
}

std::filesystem::path RunDirectory::make_iteration_dir(int iteration) const {
  auto dir = path_ / "iterations" / std::to_string(iteration);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw run_error("cannot create {}: {}", dir.string(), ec.message());
  return dir;
}

void RunDirectory::write_manifest(const RunManifest& manifest) const {
  write_json_atomically(path_ / "manifest.json", nlohmann::json(manifest));
}

}  // namespace memharness::results
