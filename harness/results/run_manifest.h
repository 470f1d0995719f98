#pragma once
// <run>/manifest.json: what ran where, and how it ended (schema in
// docs/run-records.md). Host runs write it (runner/host_run.cpp), VM runs
// complete the guest's or write one for a guest that returned none
// (targets/vm_target.cpp), promotion relabels it, the journal marks a run cut
// off as incomplete; run_reader reads it back. Its members are declared here
// once; a member an older harness (or a VM run that failed early) did not
// write is nullopt.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/results/iteration_record.h"

namespace memharness::results {

// The schema of manifest.json, and of every record of its run (result.json has none of its own).
inline constexpr int run_schema_version = 1;

enum class RunStatus { running, complete, incomplete, failed };
const char* to_string(RunStatus status);

struct HarnessBuild {
  std::string version;
  std::string git_commit;
};

struct RunConfig {
  std::string source;  // the config file as given
  std::string hash;
  std::optional<nlohmann::json> resolved;  // every default filled in (config::TestPlan::resolved)
};

// The memory controller the run's cgroups were made under.
struct RunCgroup {
  std::string version;  // "v1" or "v2"
  std::string mount_point;
  std::string parent;
};

// How `--iterations auto` looked at the data (analysis/sequential.h): the run
// stopped at the first of `looks` comparisons, fixed in advance, that decided,
// each at alpha / looks. A later `compare` of the run must test at that alpha
// too: the run's last look is where it stopped because the data looked
// decided, so testing it again at the whole alpha would count the looks once
// more for free.
struct SequentialDesign {
  double alpha = 0;           // family-wise, over every look
  double alpha_per_look = 0;  // what each look tested at
  int looks = 0;              // looks planned
};

struct IterationCounts {
  int planned = 0;
  int completed = 0;
  std::optional<std::string> stopped_early;    // `--iterations auto`: why it stopped before `planned`
  std::optional<SequentialDesign> sequential;  // `--iterations auto`
};

// Host variants run in alternating rounds.
struct Interleaving {
  std::vector<std::string> with;  // the other variants' labels
  std::string order;
};

struct RunTracepointRecorder {
  std::optional<std::string> built;              // the recorders compiled in
  std::optional<std::string> tracefs;            // how tracefs was found (or why it could not be mounted)
  std::optional<TracepointRecorderRecord> used;  // the last iteration's
};

struct RunManifest {
  int schema_version = run_schema_version;
  std::optional<RunStatus> status;
  std::optional<std::string> status_reason;  // why it is not complete
  std::optional<HarnessBuild> harness;
  std::optional<std::string> test;
  std::optional<std::string> description;
  std::optional<std::string> label;
  std::optional<std::string> target;      // "host" or "vm"
  std::optional<std::string> started_at;  // ISO 8601 UTC
  std::optional<std::string> finished_at;
  std::optional<RunConfig> config;
  std::optional<RunCgroup> cgroup;
  std::optional<std::map<std::string, std::string>> tools;  // program -> its --version line
  std::optional<IterationCounts> iterations;
  std::optional<Interleaving> interleaved;
  std::optional<std::map<std::string, std::string>> variant_sysctls;
  std::optional<nlohmann::json> self_protection;  // what the harness did to survive pressure
  // VmHWM of the memharness that ran the iterations (the guest's in a VM run),
  // when it finished: what the harness itself cost the machine it measured.
  std::optional<std::int64_t> harness_peak_rss_kb;
  std::optional<RunTracepointRecorder> tracepoint_recorder;
  // The machine as the test saw it (runner/machine_info.cpp): free-form but for
  // kernel.release, mem_total_bytes and cpus, which are read by name below.
  std::optional<nlohmann::json> machine;
  std::optional<std::map<std::string, std::string>> sysctls_set;
  std::optional<std::vector<std::string>> restore_problems;
  std::optional<std::string> promoted_from;          // the run directory it was copied from
  std::optional<nlohmann::json> vm;                  // VM runs: the VM, its boots and console (targets/vm_target.cpp)
  std::optional<std::string> console_excerpt;        // VM runs that failed: the console around the problem
  std::optional<std::string> guest_status;           // VM runs that failed: the status the guest wrote
  nlohmann::json others = nlohmann::json::object();  // members a newer harness added, kept

  // machine.kernel.release, or "" when not recorded.
  std::string kernel_release() const;
  std::optional<std::int64_t> mem_total_bytes() const;
  std::optional<std::int64_t> cpus() const;
  std::string status_text() const { return status ? to_string(*status) : ""; }
};

// Parses manifest.json; `file` names it in errors. A manifest without
// schema_version, or with one other than run_schema_version, is refused.
RunManifest parse_run_manifest(const nlohmann::json& j, const std::string& file);
void to_json(nlohmann::json& j, const RunManifest& manifest);
// Reads and parses <run>/manifest.json.
RunManifest read_run_manifest(const std::filesystem::path& file);

}  // namespace memharness::results
