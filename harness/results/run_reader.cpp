#include "harness/results/run_reader.h"

#include <algorithm>
#include <map>
#include <optional>

#include "harness/common/error.h"
#include "harness/results/record_members.h"
#include "harness/results/run_directory.h"

namespace memharness::results {

namespace fs = std::filesystem;

namespace {

// "1", "2", ... as the harness names iteration directories: no sign, no
// leading zero ("01" would alias "1"), small enough for an int.
std::optional<int> iteration_number(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.front() == '0') return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::stoi(s);
}

std::string manifest_status(const fs::path& run_dir) {
  try {
    return read_run_manifest(run_dir / "manifest.json").status_text();
  } catch (const Error&) {
    return "";
  }
}

// Run directories directly below dir, newest first.
std::vector<fs::path> runs_below(const fs::path& dir) {
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory() && is_run_directory(entry.path())) runs.push_back(entry.path());
  std::sort(runs.begin(), runs.end(), [](const fs::path& a, const fs::path& b) { return a.filename() > b.filename(); });
  return runs;
}

}  // namespace

std::string StoredRun::label() const { return manifest.label.value_or(""); }
std::string StoredRun::test() const { return manifest.test.value_or(""); }
std::string StoredRun::status() const { return manifest.status_text(); }
std::string StoredRun::kernel_release() const { return manifest.kernel_release(); }

std::vector<const StoredIteration*> StoredRun::complete_iterations() const {
  std::vector<const StoredIteration*> out;
  for (const auto& it : iterations)
    if (it.status() == "complete") out.push_back(&it);
  return out;
}

bool is_run_directory(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "manifest.json", ec);
}

StoredRun read_run(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) throw usage_error("{}: not a directory", run_dir.string());
  if (!is_run_directory(run_dir)) throw usage_error("{}: not a run directory (no manifest.json)", run_dir.string());
  StoredRun run;
  run.path = run_dir;
  run.manifest = read_run_manifest(run_dir / "manifest.json");

  std::map<int, fs::path> numbered;
  for (const auto& entry : fs::directory_iterator(run_dir / "iterations", ec)) {
    auto name = entry.path().filename().string();
    bool digits = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!entry.is_directory() || !digits) continue;  // not the harness's: not an iteration
    auto number = iteration_number(name);
    if (!number)
      throw usage_error("{}: not an iteration directory (iterations are numbered 1, 2, ...)", entry.path().string());
    numbered[*number] = entry.path();
  }
  for (const auto& [number, dir] : numbered) {
    if (!fs::exists(dir / "result.json")) continue;  // an iteration cut short before its record
    StoredIteration it;
    it.number = number;
    it.record = parse_iteration_record(read_record_file(dir / "result.json"), (dir / "result.json").string());
    if (fs::exists(dir / "tracepoints.json"))
      it.tracepoints =
          parse_tracepoints_document(read_record_file(dir / "tracepoints.json"), (dir / "tracepoints.json").string());
    run.iterations.push_back(std::move(it));
  }
  return run;
}

std::vector<std::string> list_labels(const fs::path& results_root) {
  std::vector<std::string> labels;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(results_root, ec))
    if (entry.is_directory() && is_valid_path_component(entry.path().filename().string()))
      labels.push_back(entry.path().filename().string());
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::vector<std::string> list_tests(const fs::path& results_root, const std::string& label) {
  return list_labels(results_root / label);  // the same rule one level down: valid names of directories
}

std::vector<fs::path> list_runs(const fs::path& results_root, const std::string& label, const std::string& test) {
  auto runs = runs_below(results_root / label / test);
  std::reverse(runs.begin(), runs.end());
  return runs;
}

std::vector<StoredRun> read_runs(const fs::path& results_root, const std::string& label, const std::string& test) {
  std::vector<StoredRun> runs;
  for (const auto& dir : list_runs(results_root, label, test)) runs.push_back(read_run(dir));
  return runs;
}

fs::path newest_complete_run(const fs::path& label_dir, const std::string& test) {
  std::error_code ec;
  std::vector<fs::path> test_dirs;
  if (!test.empty()) {
    test_dirs.push_back(label_dir / test);
  } else {
    for (const auto& entry : fs::directory_iterator(label_dir, ec))
      if (entry.is_directory()) test_dirs.push_back(entry.path());
    std::sort(test_dirs.begin(), test_dirs.end());
  }
  std::vector<fs::path> found;
  int incomplete = 0;
  for (const auto& dir : test_dirs) {
    for (const auto& run : runs_below(dir)) {
      if (manifest_status(run) == "complete") {
        found.push_back(run);
        break;
      }
      ++incomplete;
    }
  }
  if (found.empty())
    throw usage_error("{}: no complete run stored there{}", (test.empty() ? label_dir : label_dir / test).string(),
                      incomplete ? fmt::format(" ({} runs not complete)", incomplete) : std::string());
  if (found.size() > 1) {
    std::string tests;
    for (const auto& f : found) tests += (tests.empty() ? "" : ", ") + f.parent_path().filename().string();
    throw usage_error("{}: complete runs of several tests are stored there ({}): name one, e.g. {}", label_dir.string(),
                      tests, (label_dir / found.front().parent_path().filename()).string());
  }
  return found.front();
}

fs::path resolve_run(const std::string& run_or_label, const fs::path& results_root, const std::string& test) {
  std::error_code ec;
  fs::path given(run_or_label);
  if (fs::is_directory(given, ec)) {
    if (is_run_directory(given)) return given;
    // results/<label>/<test>: run directories directly below.
    if (!runs_below(given).empty()) {
      auto runs = runs_below(given);
      for (const auto& run : runs)
        if (manifest_status(run) == "complete") return run;
      throw usage_error("{}: no complete run stored there ({} runs not complete)", given.string(), runs.size());
    }
    return newest_complete_run(given, test);  // results/<label>
  }
  if (run_or_label.find('/') == std::string::npos && fs::is_directory(results_root / run_or_label, ec))
    return newest_complete_run(results_root / run_or_label, test);
  throw usage_error("{}: neither a run directory nor a label stored under {}", run_or_label, results_root.string());
}

}  // namespace memharness::results
