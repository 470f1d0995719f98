#pragma once
// iterations/<n>/result.json: what one iteration measured (schema in
// docs/run-records.md). The runner writes it (runner/iteration.cpp); run_reader
// reads it back for compare, report and calibrate. Its members are declared
// here once; a member an older harness did not write is nullopt.
//
// result.json has no schema_version of its own: it is read under its run's
// manifest.json, whose schema_version covers every record of the run.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/common/counters.h"
#include "harness/results/record_members.h"

namespace memharness::results {

// Whole-tree accounting of a workload's processes ("process").
struct ProcessRecord {
  bool started = false;
  double elapsed_s = 0;
  // null when not measured (usage_lost): not 0.
  std::optional<double> user_s;
  std::optional<double> sys_s;
  std::optional<std::int64_t> max_rss_kb;
  bool timed_out = false;
  bool stopped = false;
  std::optional<std::string> usage_lost;  // why user_s, sys_s and max_rss_kb are null
  std::optional<int> exit_status;         // null: not started, or killed by a signal
  std::optional<int> term_signal;         // null: not killed by a signal
};

// How the workload declared one of its metrics ("metric_declarations";
// workloads/metric_spec.h), as the runner wrote it: compare reads a metric's
// unit, direction, gating default and mean from here.
struct MetricDeclaration {
  std::string unit{};  // empty where the metric's name says it
  bool higher_is_better = false;
  bool gates = false;
  bool harmonic_mean = false;
};

// One workload instance of a phase.
struct WorkloadRecord {
  std::string instance;
  std::string type;
  bool succeeded = false;
  std::optional<std::string> failure;         // one sentence, when it did not succeed
  std::optional<nlohmann::json> preparation;  // set-up steps (workloads::Preparation::to_json)
  std::optional<ProcessRecord> process;
  nlohmann::json metrics = nlohmann::json::object();  // the workload's own figures, name -> number
  // The declaration of each metric the workload declared; nullopt in records
  // of a harness before workloads declared their metrics.
  std::optional<std::map<std::string, MetricDeclaration>> metric_declarations;
  std::optional<nlohmann::json> details;  // free-form, kept but not compared

  // The workload metric `name` when it is a number.
  std::optional<double> metric(const std::string& name) const;
  // The declaration of the metric `name`; nullptr when the record has none.
  const MetricDeclaration* declaration(const std::string& name) const;
};

struct PhaseRecord {
  std::string name;
  std::optional<double> elapsed_s;
  std::vector<WorkloadRecord> workloads;
  std::optional<bool> succeeded;
};

// Stall time accrued in a PSI file over the measured window, microseconds.
struct PsiDelta {
  std::optional<std::int64_t> some_stall_us;  // always written by the harness
  std::optional<std::int64_t> full_stall_us;  // absent where the file has no "full" line
};

// The test cgroup ("memcg").
struct MemcgRecord {
  std::optional<CounterMap> stat_start, stat_end, stat_delta;  // memory.stat
  std::optional<CounterMap> events_delta;                      // memory.events (v1: memory.oom_control ...)
  std::optional<std::int64_t> peak_bytes;                      // null where the kernel has no peak
  std::optional<PsiDelta> psi_memory;                          // null without cgroup PSI
};

// Which tracepoint recorder ran in the iteration ("tracepoint_recorder").
struct TracepointRecorderRecord {
  std::optional<std::string> kind;  // "bpf", "tracefs"; null: none ran
  std::optional<std::int64_t> timeseries_rows;
  std::optional<std::string> reason;           // why not BPF, or why none ran
  bool has_lost_events = false;                // "lost_events" is written (its value may be null)
  std::optional<std::uint64_t> lost_events;    // null: the kernel cannot count them
  std::optional<bool> lost_events_observable;  // written only as false
};

// The headline tracepoint figures, flat ("tracepoints"); each null where the
// kernel lacks its events. Computed from tracepoints.json by
// probes::tracepoint_summary.
struct TracepointSummary {
  std::optional<std::uint64_t> direct_reclaims;
  std::optional<double> direct_reclaim_stall_ms;
  std::optional<std::uint64_t> memcg_reclaims;   // workload scope
  std::optional<double> memcg_reclaim_stall_ms;  // workload scope
  std::optional<std::uint64_t> kswapd_wakeups;
  std::optional<double> kswapd_awake_ms;
  std::optional<std::uint64_t> direct_reclaim_write_file, direct_reclaim_write_anon;
  std::optional<std::uint64_t> kswapd_reclaim_write_file, kswapd_reclaim_write_anon;
};

// The iteration's own memory cgroup, created for it and removed after it.
struct IterationCgroup {
  std::string path;
  std::string version;  // "v1" or "v2"
};

// OOM kills in the window: the test cgroup's (memory.events, v1
// memory.oom_control) and the system's (vmstat); null where the kernel lacks
// the counter.
struct OomKills {
  std::optional<std::int64_t> memcg;
  std::optional<std::int64_t> vmstat;
};

struct IterationRecord {
  std::optional<int> iteration;
  std::string status;                // "complete", "failed", "interrupted"
  std::optional<std::string> error;  // why a sampler failed the iteration
  std::optional<IterationCgroup> cgroup;
  std::optional<double> preparation_s;
  std::optional<double> elapsed_s;  // the measured window
  std::optional<std::int64_t> timeseries_samples;
  std::optional<TracepointRecorderRecord> tracepoint_recorder;
  std::optional<TracepointSummary> tracepoints;
  std::vector<PhaseRecord> phases;
  std::optional<CounterMap> vmstat_delta;
  std::optional<MemcgRecord> memcg;
  std::optional<OomKills> oom_kills;
  std::optional<nlohmann::json> fragmentation;  // {"start", "end"}: per zone, as probes write it
  std::optional<CounterMap> meminfo_start, meminfo_end;
  std::optional<PsiDelta> psi_memory;  // system-wide; null without PSI
  std::optional<std::string> cleanup_problem;
  nlohmann::json others = nlohmann::json::object();  // members a newer harness added, kept

  // The workload metric of `instance` in the first phase that recorded it.
  std::optional<double> workload_metric(const std::string& instance, const std::string& name) const;
};

// Parses result.json; `file` names it in errors.
IterationRecord parse_iteration_record(const nlohmann::json& j, const std::string& file);
void to_json(nlohmann::json& j, const IterationRecord& record);
void to_json(nlohmann::json& j, const TracepointRecorderRecord& recorder);
void to_json(nlohmann::json& j, const TracepointSummary& summary);
void to_json(nlohmann::json& j, const ProcessRecord& process);
void to_json(nlohmann::json& j, const WorkloadRecord& workload);
void to_json(nlohmann::json& j, const PhaseRecord& phase);
// The "tracepoint_recorder" object (also the manifest's "tracepoint_recorder"."used").
TracepointRecorderRecord parse_tracepoint_recorder(const RecordMembers& members);

// A counter of a delta map; nullopt when the map or the counter is missing.
std::optional<double> counter(const std::optional<CounterMap>& counters, const std::string& name);

}  // namespace memharness::results
