#include "harness/results/run_promotion.h"

#include <unistd.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/results/run_reader.h"

namespace memharness::results {

namespace fs = std::filesystem;

fs::path promote_run(const fs::path& run_dir, const fs::path& results_root, const std::string& label) {
  auto run = read_run(run_dir);
  fs::path target = results_root / label / run.test() / run_dir.filename();
  std::error_code ec;
  if (fs::exists(target, ec))
    throw run_error("cannot store {} as {}: {} exists already", run_dir.string(), label, target.string());
  fs::path staging = results_root / fmt::format(".promoting-{}-{}", ::getpid(), run_dir.filename().string());
  auto fail = [&](const std::string& what) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return run_error("cannot store {} as {}: {}", run_dir.string(), label, what);
  };
  fs::copy(run_dir, staging, fs::copy_options::recursive, ec);
  if (ec) throw fail(fmt::format("copying to {}: {}", staging.string(), ec.message()));
  auto manifest = run.manifest;
  manifest.label = label;
  manifest.promoted_from = fs::absolute(run_dir).lexically_normal().string();
  try {
    write_json_atomically(staging / "manifest.json", nlohmann::json(manifest));
  } catch (const std::exception& e) {
    throw fail(e.what());
  }
  fs::create_directories(target.parent_path(), ec);
  if (!ec) fs::rename(staging, target, ec);
  if (ec) throw fail(fmt::format("moving into {}: {}", target.string(), ec.message()));
  return target;
}

}  // namespace memharness::results
