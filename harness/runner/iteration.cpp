#include "harness/runner/iteration.h"

#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/results/atomic_file.h"
#include "harness/runner/progress.h"
#include "harness/system/journal.h"
#include "harness/system/procfs/psi.h"
#include "harness/system/system_root.h"
#include "probes/samplers/snapshot.h"
#include "probes/samplers/timeseries_sampler.h"
#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/recorder.h"
#include "probes/tracepoints/tracepoint_timeseries.h"
#include "workloads/registry.h"

namespace memharness::runner {

namespace {

// The journal is single-threaded; workloads of a phase run concurrently.
std::mutex journal_mutex;

nlohmann::json outcome_json(const system::ProcessOutcome& o) {
  nlohmann::json j = {
      {"started", o.started},   {"elapsed_s", o.elapsed_s}, {"user_s", o.user_s},
      {"sys_s", o.sys_s},       {"max_rss_kb", o.max_rss_kb}, {"timed_out", o.timed_out},
      {"stopped", o.stopped},
  };
  if (o.usage_lost) {
    // Not measured, so not 0: the metrics skip them.
    j["user_s"] = j["sys_s"] = j["max_rss_kb"] = nullptr;
    j["usage_lost"] = "the process supervisor was killed before it reported the tree's CPU times";
  }
  j["exit_status"] = o.started && o.term_signal == 0 ? nlohmann::json(o.exit_status) : nlohmann::json(nullptr);
  j["term_signal"] = o.term_signal != 0 ? nlohmann::json(o.term_signal) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json counters_json(const CounterMap& counters) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : counters) j[name] = value;
  return j;
}

// Stall time accrued between two snapshots in a PSI file; null when the file
// was not there (PSI disabled, cgroup v1): not available is not zero.
nlohmann::json psi_stall_delta(const probes::Snapshot& start, const probes::Snapshot& end, const std::string& file) {
  auto a = start.raw_files.find(file), b = end.raw_files.find(file);
  if (a == start.raw_files.end() || b == end.raw_files.end()) return nullptr;
  auto before = system::procfs::parse_psi(a->second, file), after = system::procfs::parse_psi(b->second, file);
  nlohmann::json delta = {{"some_stall_us", after.some.total_us - before.some.total_us}};
  if (before.full && after.full) delta["full_stall_us"] = after.full->total_us - before.full->total_us;
  return delta;
}

struct RunningWorkload {
  std::string instance;
  std::string type;
  std::filesystem::path output_dir;
  workloads::WorkloadResult result;
  std::jthread thread;
  std::atomic<bool> done{false};
};

// Runs one phase; returns its record. Workloads that fail do not stop their
// siblings: a phase is judged as a whole afterwards.
nlohmann::json run_phase(const IterationSetup& setup, const config::PhasePlan& phase,
                         const system::MemoryCgroup& cgroup, const std::filesystem::path& dir) {
  setup.progress.phase_started(phase.name);
  auto phase_started = std::chrono::steady_clock::now();
  auto deadline = phase_started + phase.timeout;
  std::vector<std::unique_ptr<RunningWorkload>> running;
  for (const auto& plan : phase.workloads) {
    const auto* spec = workloads::WorkloadRegistry::instance().find(plan.type);
    if (!spec) throw std::logic_error("validated plan names an unknown workload: " + plan.type);
    auto entry = std::make_unique<RunningWorkload>();
    entry->instance = plan.instance_name;
    entry->type = plan.type;
    entry->output_dir = dir / "workloads" / plan.instance_name;
    std::filesystem::create_directories(entry->output_dir);
    auto* raw = entry.get();
    std::shared_ptr<workloads::Workload> workload = spec->create(plan.params);
    raw->thread = std::jthread([raw, workload, &setup, &cgroup, deadline] {
      workloads::WorkloadContext context{
          .system = setup.system,
          .instance_name = raw->instance,
          .output_dir = raw->output_dir,
          .cgroup_procs_file = setup.system.resolve(cgroup.procs_file()),
          .deadline = deadline,
          .stop = setup.stop,
          .journaled_write =
              [&setup](const std::string& path, const std::string& value) {
                std::lock_guard lock(journal_mutex);
                setup.journal.write_value(path, value);
              },
          .journaled_scratch_directory =
              [&setup](const std::filesystem::path& directory) {
                std::lock_guard lock(journal_mutex);
                setup.journal.record_scratch_directory(directory);
              },
      };
      try {
        raw->result = workload->run(context);
      } catch (const std::exception& e) {
        raw->result.succeeded = false;
        raw->result.failure = e.what();
      }
      raw->done.store(true);
    });
    running.push_back(std::move(entry));
  }
  for (;;) {
    bool all_done = true;
    for (const auto& w : running) all_done = all_done && w->done.load();
    if (all_done) break;
    setup.progress.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  nlohmann::json record = {{"name", phase.name}};
  record["elapsed_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_started).count();
  bool phase_ok = true;
  nlohmann::json workloads_json = nlohmann::json::array();
  for (auto& w : running) {
    w->thread.join();
    const auto& r = w->result;
    phase_ok = phase_ok && r.succeeded;
    nlohmann::json wj = {{"instance", w->instance}, {"type", w->type}, {"succeeded", r.succeeded}};
    if (!r.succeeded) {
      wj["failure"] = r.failure;
      setup.progress.note(fmt::format("workload \"{}\" failed: {}", w->instance, r.failure));
    }
    wj["process"] = outcome_json(r.totals);
    wj["metrics"] = r.metrics;
    wj["details"] = r.details;
    workloads_json.push_back(std::move(wj));
  }
  record["workloads"] = std::move(workloads_json);
  record["succeeded"] = phase_ok;
  return record;
}

}  // namespace

nlohmann::json run_iteration(const IterationSetup& setup, int number, const std::filesystem::path& dir) {
  nlohmann::json record = {{"iteration", number}};
  auto cgroup = system::create_memory_cgroup(setup.system, setup.controller,
                                             fmt::format("memharness-{}-{}", ::getpid(), number), setup.journal);
  cgroup->apply_limits(setup.limits);
  record["cgroup"] = {{"path", cgroup->path()},
                      {"version", cgroup->version() == system::CgroupVersion::v1 ? "v1" : "v2"}};

  auto start = probes::take_snapshot(setup.system, cgroup.get());
  probes::write_snapshot_files(start, dir / "snapshots" / "start");
  auto wall_started = std::chrono::steady_clock::now();
  nlohmann::json phases = nlohmann::json::array();
  std::string status = "complete";
  // Tracepoint aggregates: every process the harness forks (the workloads'
  // supervisors and their trees) is attributed to the workloads.
  // On cgroup v2 the BPF recorder keys on the test cgroup's id instead.
  auto tracepoints = probes::start_tracepoint_recorder(
      setup.system,
      {.root_tgid = ::getpid(),
       .workload_cgroup_id = cgroup->version() == system::CgroupVersion::v2
                                 ? probes::cgroup_v2_id(setup.system, cgroup->path())
                                 : std::nullopt,
       .journal = &setup.journal});
  // The aggregates over time, at the sampling interval (stall time, scan rate).
  std::optional<probes::TracepointTimeSeries> tracepoint_series;
  if (tracepoints.recorder) {
    tracepoint_series.emplace(*tracepoints.recorder, dir / "tracepoints-timeseries.csv", setup.plan.sample_interval);
    tracepoint_series->start();
  }
  {
    probes::TimeSeriesSampler sampler(setup.system, cgroup.get(), dir / "timeseries.csv", setup.plan.sample_interval);
    sampler.start();
    for (const auto& phase : setup.plan.phases) {
      if (setup.stop.stop_requested()) break;
      auto phase_record = run_phase(setup, phase, *cgroup, dir);
      bool ok = phase_record["succeeded"].get<bool>();
      phases.push_back(std::move(phase_record));
      if (setup.stop.stop_requested()) {
        status = "interrupted";
        break;
      }
      if (!ok) {
        status = "failed";
        break;  // later phases depend on earlier ones having run as planned
      }
    }
    sampler.stop();
    record["timeseries_samples"] = sampler.samples_taken();
  }
  if (setup.stop.stop_requested()) status = "interrupted";
  if (tracepoints.recorder) {
    tracepoint_series->stop();
    record["tracepoint_recorder"] = {{"kind", tracepoints.recorder->kind()},
                                     {"timeseries_rows", tracepoint_series->rows()}};
    if (!tracepoints.reason.empty()) record["tracepoint_recorder"]["reason"] = tracepoints.reason;  // why not BPF
    auto document = tracepoints.recorder->finish();
    if (document.contains("lost_events")) record["tracepoint_recorder"]["lost_events"] = document["lost_events"]["count"];
    results::write_json_atomically(dir / "tracepoints.json", document);
    record["tracepoints"] = probes::tracepoint_summary(document);
    tracepoints.recorder.reset();
  } else {
    record["tracepoint_recorder"] = {{"kind", nullptr}, {"reason", tracepoints.reason}};
  }
  record["elapsed_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_started).count();
  auto end = probes::take_snapshot(setup.system, cgroup.get());
  probes::write_snapshot_files(end, dir / "snapshots" / "end");

  record["status"] = status;
  record["phases"] = std::move(phases);
  auto vmstat_delta = counter_delta(start.vmstat, end.vmstat);
  auto memcg_events_delta = counter_delta(start.memcg_events, end.memcg_events);
  record["vmstat_delta"] = counters_json(vmstat_delta);
  record["memcg"] = {
      {"stat_start", counters_json(start.memcg_stat)},
      {"stat_end", counters_json(end.memcg_stat)},
      {"stat_delta", counters_json(counter_delta(start.memcg_stat, end.memcg_stat))},
      {"events_delta", counters_json(memcg_events_delta)},
      {"peak_bytes", end.memcg_peak_bytes ? nlohmann::json(*end.memcg_peak_bytes) : nlohmann::json(nullptr)},
  };
  // OOM kills flag the iteration: the test cgroup's own (memory.events, v1
  // memory.oom_control) and the system's; null where the kernel lacks the counter.
  auto oom_kills_in = [](const CounterMap& delta) {
    auto it = delta.find("oom_kill");
    return it == delta.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
  };
  record["oom_kills"] = {{"memcg", oom_kills_in(memcg_events_delta)}, {"vmstat", oom_kills_in(vmstat_delta)}};
  record["fragmentation"] = {{"start", probes::fragmentation_json(start.fragmentation)},
                             {"end", probes::fragmentation_json(end.fragmentation)}};
  record["meminfo_start"] = counters_json(start.meminfo);
  record["meminfo_end"] = counters_json(end.meminfo);
  record["psi_memory"] = psi_stall_delta(start, end, "/proc/pressure/memory");
  record["memcg"]["psi_memory"] = psi_stall_delta(start, end, "cgroup/memory.pressure");

  cgroup->kill_all();
  cgroup->remove();
  results::write_json_atomically(dir / "result.json", record);
  return record;
}

}  // namespace memharness::runner
