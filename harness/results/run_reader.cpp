#include "harness/results/run_reader.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "harness/common/error.h"
#include "harness/common/file_text.h"

namespace memharness::results {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json_file(const fs::path& file) {
  auto text = read_file_if_opened(file);
  if (!text) throw usage_error("{}: cannot be read", file.string());
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number like 1e3080
    throw usage_error("{}: not valid JSON: {}", file.string(), e.what());
  }
}

std::string string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "1", "2", ... as the harness names iteration directories: no sign, no
// leading zero ("01" would alias "1"), small enough for an int.
std::optional<int> iteration_number(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.front() == '0') return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  return std::stoi(s);
}

// The parts of an iteration record that analysis walks: "phases" an array of
// objects, each one's "workloads" an array of objects, each one's "metrics" and
// "process" objects. A record of another shape is named, not half-read.
void check_record_shape(const nlohmann::json& record, const fs::path& file) {
  auto phases = record.find("phases");
  if (phases == record.end()) return;
  if (!phases->is_array()) throw usage_error("{}: \"phases\" must be an array", file.string());
  for (std::size_t p = 0; p < phases->size(); ++p) {
    const auto& phase = (*phases)[p];
    if (!phase.is_object()) throw usage_error("{}: \"phases\"[{}] must be an object", file.string(), p);
    auto workloads = phase.find("workloads");
    if (workloads == phase.end()) continue;
    if (!workloads->is_array())
      throw usage_error("{}: \"phases\"[{}].\"workloads\" must be an array", file.string(), p);
    for (std::size_t w = 0; w < workloads->size(); ++w) {
      const auto& workload = (*workloads)[w];
      if (!workload.is_object())
        throw usage_error("{}: \"phases\"[{}].\"workloads\"[{}] must be an object", file.string(), p, w);
      for (const char* key : {"metrics", "process"})
        if (workload.contains(key) && !workload[key].is_object())
          throw usage_error("{}: \"phases\"[{}].\"workloads\"[{}].\"{}\" must be an object", file.string(), p, w,
                            key);
      if (workload.contains("instance") && !workload["instance"].is_string())
        throw usage_error("{}: \"phases\"[{}].\"workloads\"[{}].\"instance\" must be a string", file.string(), p,
                          w);
    }
  }
}

// The members compare reads by name (analysis/comparison.cpp): "iteration",
// "tracepoint_recorder" with its "kind", "lost_events" and
// "lost_events_observable". Of another type they are named here, where the
// file is known, instead of ending compare with a JSON type_error.
void check_record_members(const nlohmann::json& record, const fs::path& file) {
  if (auto it = record.find("iteration"); it != record.end()) {
    bool whole = it->is_number_integer() && it->get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                 it->get<std::int64_t>() <= std::numeric_limits<int>::max();
    if (it->is_number_unsigned()) whole = it->get<std::uint64_t>() <= std::numeric_limits<int>::max();
    if (!whole) throw usage_error("{}: \"iteration\" must be a whole number", file.string());
  }
  auto recorder = record.find("tracepoint_recorder");
  if (recorder == record.end()) return;
  if (!recorder->is_object()) throw usage_error("{}: \"tracepoint_recorder\" must be an object", file.string());
  auto member = [&](const char* key, bool (*fits)(const nlohmann::json&), const char* what) {
    auto it = recorder->find(key);
    if (it != recorder->end() && !fits(*it))
      throw usage_error("{}: \"tracepoint_recorder\".\"{}\" must be {}", file.string(), key, what);
  };
  member("kind", [](const nlohmann::json& v) { return v.is_string() || v.is_null(); }, "a string or null");
  member("lost_events", [](const nlohmann::json& v) { return v.is_number() || v.is_null(); }, "a number or null");
  member("lost_events_observable", [](const nlohmann::json& v) { return v.is_boolean(); }, "true or false");
}

// tracepoints.json: compare reads scopes.system.pairing's counts by name.
void check_tracepoints_shape(const nlohmann::json& doc, const fs::path& file) {
  if (!doc.is_object()) throw usage_error("{}: expected a JSON object", file.string());
  auto scopes = doc.find("scopes");
  if (scopes == doc.end()) return;
  if (!scopes->is_object()) throw usage_error("{}: \"scopes\" must be an object", file.string());
  auto system = scopes->find("system");
  if (system == scopes->end()) return;
  if (!system->is_object()) throw usage_error("{}: \"scopes\".\"system\" must be an object", file.string());
  auto pairing = system->find("pairing");
  if (pairing == system->end()) return;
  if (!pairing->is_object())
    throw usage_error("{}: \"scopes\".\"system\".\"pairing\" must be an object", file.string());
  for (const char* key : {"unpaired_ends", "open_stall_overflow"})
    if (auto it = pairing->find(key); it != pairing->end() && !it->is_number_unsigned())
      throw usage_error("{}: \"scopes\".\"system\".\"pairing\".\"{}\" must be a count", file.string(), key);
}

std::string manifest_status(const fs::path& run_dir) {
  try {
    return string_at(read_json_file(run_dir / "manifest.json"), "status");
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

std::string StoredRun::label() const { return string_at(manifest, "label"); }
std::string StoredRun::test() const { return string_at(manifest, "test"); }
std::string StoredRun::status() const { return string_at(manifest, "status"); }
std::string StoredRun::kernel_release() const {
  const auto p = nlohmann::json::json_pointer("/machine/kernel/release");
  return manifest.contains(p) && manifest.at(p).is_string() ? manifest.at(p).get<std::string>() : std::string();
}

std::vector<const StoredIteration*> StoredRun::complete_iterations() const {
  std::vector<const StoredIteration*> out;
  for (const auto& it : iterations)
    if (it.status == "complete") out.push_back(&it);
  return out;
}

bool is_run_directory(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "manifest.json", ec);
}

StoredRun read_run(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) throw usage_error("{}: not a directory", run_dir.string());
  if (!is_run_directory(run_dir))
    throw usage_error("{}: not a run directory (no manifest.json)", run_dir.string());
  StoredRun run;
  run.path = run_dir;
  run.manifest = read_json_file(run_dir / "manifest.json");
  if (!run.manifest.is_object() || !run.manifest.contains("schema_version"))
    throw usage_error("{}: not a memharness manifest (no \"schema_version\")", (run_dir / "manifest.json").string());
  if (run.manifest["schema_version"] != 1)
    throw usage_error("{}: schema_version {} is not supported (this memharness reads 1)",
                      (run_dir / "manifest.json").string(), run.manifest["schema_version"].dump());

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
    it.record = read_json_file(dir / "result.json");
    if (!it.record.is_object()) throw usage_error("{}: expected a JSON object", (dir / "result.json").string());
    check_record_shape(it.record, dir / "result.json");
    check_record_members(it.record, dir / "result.json");
    it.status = string_at(it.record, "status");
    if (fs::exists(dir / "tracepoints.json")) {
      auto tracepoints = read_json_file(dir / "tracepoints.json");
      check_tracepoints_shape(tracepoints, dir / "tracepoints.json");
      it.record["tracepoints_json"] = std::move(tracepoints);
    }
    run.iterations.push_back(std::move(it));
  }
  return run;
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
    throw usage_error("{}: complete runs of several tests are stored there ({}): name one, e.g. {}",
                      label_dir.string(), tests, (label_dir / found.front().parent_path().filename()).string());
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
