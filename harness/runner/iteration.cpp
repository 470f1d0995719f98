#include "harness/runner/iteration.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/runner/iteration_cleanup.h"
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

results::ProcessRecord process_record(const system::ProcessOutcome& o) {
  results::ProcessRecord p;
  p.started = o.started;
  p.elapsed_s = o.elapsed_s;
  p.user_s = o.user_s;
  p.sys_s = o.sys_s;
  p.max_rss_kb = o.max_rss_kb;
  p.timed_out = o.timed_out;
  p.stopped = o.stopped;
  if (o.usage_lost) {
    // Not measured, so not 0: the metrics skip them.
    p.user_s = p.sys_s = std::nullopt;
    p.max_rss_kb = std::nullopt;
    p.usage_lost = "the process supervisor was killed before it reported the tree's CPU times";
  }
  if (o.started && o.term_signal == 0) p.exit_status = o.exit_status;
  if (o.term_signal != 0) p.term_signal = o.term_signal;
  return p;
}

// The declaration of every metric the workload recorded, from its spec in the
// registry, so that compare reads them from the run directory. A metric no
// pattern matches is left out: compare then reads it by its name's old rules.
std::map<std::string, results::MetricDeclaration> metric_declarations(const std::string& type,
                                                                      const nlohmann::json& metrics) {
  std::map<std::string, results::MetricDeclaration> out;
  const auto* spec = workloads::WorkloadRegistry::instance().find(type);
  if (!spec) return out;
  for (const auto& [name, value] : metrics.items())
    if (auto declared = workloads::declared_metric(*spec, name))
      out[name] = {.unit = declared->unit,
                   .higher_is_better = declared->better == workloads::Better::higher,
                   .gates = declared->gates,
                   .harmonic_mean = declared->harmonic_mean};
  return out;
}

// Stall time accrued between two snapshots in a PSI file; null when the file
// was not there (PSI disabled, cgroup v1): not available is not zero.
std::optional<results::PsiDelta> psi_stall_delta(const probes::Snapshot& start, const probes::Snapshot& end,
                                                 const std::string& file) {
  auto a = start.raw_files.find(file), b = end.raw_files.find(file);
  if (a == start.raw_files.end() || b == end.raw_files.end()) return std::nullopt;
  auto before = system::procfs::parse_psi(a->second, file), after = system::procfs::parse_psi(b->second, file);
  results::PsiDelta delta;
  delta.some_stall_us = after.some.total_us - before.some.total_us;
  if (before.full && after.full) delta.full_stall_us = after.full->total_us - before.full->total_us;
  return delta;
}

// One workload of a phase: created and prepared before the iteration's
// measurement window opens, run inside it.
struct PhaseWorkload {
  std::string instance;
  std::string type;
  std::filesystem::path output_dir;
  std::shared_ptr<workloads::Workload> workload;
  workloads::Preparation preparation;
  workloads::WorkloadResult result;
};

using PreparedPhase = std::vector<std::unique_ptr<PhaseWorkload>>;

workloads::WorkloadContext workload_context(const IterationSetup& setup, const system::MemoryCgroup& cgroup,
                                            const PhaseWorkload& w, std::chrono::steady_clock::time_point deadline) {
  return {
      .system = setup.system,
      .instance_name = w.instance,
      .output_dir = w.output_dir,
      .cgroup_procs_file = setup.system.resolve(cgroup.procs_file()),
      .cgroup = &cgroup,
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
}

// Calls `body(w)` for every workload of the phase, each in its own thread,
// and returns when all have returned, ticking the progress line meanwhile.
template <typename Body>
void for_each_concurrently(const IterationSetup& setup, PreparedPhase& phase, Body body) {
  std::vector<std::jthread> threads;
  std::atomic<std::size_t> done{0};
  for (auto& w : phase)
    threads.emplace_back([&body, &done, raw = w.get()] {
      body(*raw);
      ++done;
    });
  while (done.load() < phase.size()) {
    setup.progress.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Preparation is not measured, so its bound only guards against a hang: how
// long set-up takes says nothing about the kernel, and on a loaded machine
// two kernel trees configured at once can take minutes (measured: over 3 on
// the 2-core development VM with other builds running).
constexpr std::chrono::minutes kPreparationTimeout{30};

// Creates the phase's workloads and prepares them (unpacking and configuring a
// kernel tree ...) concurrently, before anything is measured: set-up is
// neither a load beside another workload nor part of the iteration's elapsed
// time, deltas and tracepoint figures. Bounded by the phase's timeout or
// kPreparationTimeout, whichever is longer.
PreparedPhase prepare_phase(const IterationSetup& setup, const config::PhasePlan& phase,
                            const system::MemoryCgroup& cgroup, const std::filesystem::path& dir) {
  PreparedPhase prepared;
  for (const auto& plan : phase.workloads) {
    const auto* spec = workloads::WorkloadRegistry::instance().find(plan.type);
    if (!spec) throw std::logic_error("validated plan names an unknown workload: " + plan.type);
    auto w = std::make_unique<PhaseWorkload>();
    w->instance = plan.instance_name;
    w->type = plan.type;
    w->output_dir = dir / "workloads" / plan.instance_name;
    std::filesystem::create_directories(w->output_dir);
    w->workload = spec->create(plan.params);
    prepared.push_back(std::move(w));
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::max<std::chrono::nanoseconds>(phase.timeout, kPreparationTimeout);
  for_each_concurrently(setup, prepared, [&](PhaseWorkload& w) {
    try {
      w.preparation = w.workload->prepare(workload_context(setup, cgroup, w, deadline));
    } catch (const std::exception& e) {
      w.preparation.succeeded = false;
      w.preparation.failure = e.what();
    }
  });
  for (const auto& w : prepared) {
    if (!w->preparation.steps.empty() && w->preparation.succeeded)
      setup.progress.note(
          fmt::format("workload \"{}\" prepared in {:.1f} s (not measured)", w->instance, w->preparation.elapsed_s));
  }
  return prepared;
}

bool preparations_succeeded(const std::vector<PreparedPhase>& phases) {
  for (const auto& phase : phases)
    for (const auto& w : phase)
      if (!w->preparation.succeeded) return false;
  return true;
}

// Runs one prepared phase; returns its record. Workloads that fail do not stop
// their siblings: a phase is judged as a whole afterwards. `run` false: a
// preparation failed, nothing runs and the record says which and why.
results::PhaseRecord run_phase(const IterationSetup& setup, const config::PhasePlan& phase, PreparedPhase& workloads,
                               const system::MemoryCgroup& cgroup, bool run) {
  setup.progress.phase_started(phase.name);
  auto phase_started = std::chrono::steady_clock::now();
  auto deadline = phase_started + phase.timeout;
  if (run) {
    for_each_concurrently(setup, workloads, [&](PhaseWorkload& w) {
      try {
        w.result = w.workload->run(workload_context(setup, cgroup, w, deadline));
      } catch (const std::exception& e) {
        w.result.succeeded = false;
        w.result.failure = e.what();
      }
    });
  } else {
    for (auto& w : workloads)
      w->result.failure = w->preparation.succeeded ? "not started: another workload's preparation failed"
                                                   : "preparation failed: " + w->preparation.failure;
  }
  results::PhaseRecord record;
  record.name = phase.name;
  record.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_started).count();
  bool phase_ok = true;
  for (auto& w : workloads) {
    const auto& r = w->result;
    phase_ok = phase_ok && r.succeeded;
    results::WorkloadRecord wr;
    wr.instance = w->instance;
    wr.type = w->type;
    wr.succeeded = r.succeeded;
    if (!r.succeeded) {
      wr.failure = r.failure;
      setup.progress.note(fmt::format("workload \"{}\" failed: {}", w->instance, r.failure));
    }
    if (!w->preparation.steps.empty() || !w->preparation.succeeded) wr.preparation = w->preparation.to_json();
    wr.process = process_record(r.totals);
    wr.metrics = r.metrics;
    wr.metric_declarations = metric_declarations(w->type, r.metrics);
    wr.details = r.details;
    record.workloads.push_back(std::move(wr));
  }
  record.succeeded = phase_ok;
  return record;
}

}  // namespace

results::IterationRecord run_iteration(const IterationSetup& outer, int number, const std::filesystem::path& dir) {
  // The phases stop on a signal (outer.stop) and also when a sampling thread
  // fails: a run without its time series is not the run that was asked for.
  std::stop_source iteration_stop;
  std::stop_callback forward_signal(outer.stop, [&iteration_stop] { iteration_stop.request_stop(); });
  IterationSetup setup = outer;
  setup.stop = iteration_stop.get_token();
  std::vector<std::string> sampler_errors;

  results::IterationRecord record;
  record.iteration = number;
  auto cgroup = system::create_memory_cgroup(setup.system, setup.controller,
                                             fmt::format("memharness-{}-{}", ::getpid(), number), setup.journal);
  cgroup->apply_limits(setup.limits);
  record.cgroup = results::IterationCgroup{.path = cgroup->path(),
                                           .version = cgroup->version() == system::CgroupVersion::v1 ? "v1" : "v2"};

  // Set-up first, outside the measured window that the start snapshot opens.
  const auto preparation_started = std::chrono::steady_clock::now();
  std::vector<PreparedPhase> prepared;
  for (const auto& phase : setup.plan.phases) {
    if (setup.stop.stop_requested()) break;
    prepared.push_back(prepare_phase(setup, phase, *cgroup, dir));
  }
  record.preparation_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - preparation_started).count();
  const bool prepared_ok = preparations_succeeded(prepared);

  auto start = probes::take_snapshot(setup.system, cgroup.get());
  probes::write_snapshot_files(start, dir / "snapshots" / "start");
  auto wall_started = std::chrono::steady_clock::now();
  std::string status = "complete";
  // Tracepoint aggregates: every process the harness forks (the workloads'
  // supervisors and their trees) is attributed to the workloads.
  // On cgroup v2 the BPF recorder keys on the test cgroup's id instead.
  auto tracepoints = probes::start_tracepoint_recorder(
      setup.system, {.root_tgid = ::getpid(),
                     .workload_cgroup_id = cgroup->version() == system::CgroupVersion::v2
                                               ? probes::cgroup_v2_id(setup.system, cgroup->path())
                                               : std::nullopt,
                     .journal = &setup.journal});
  // The aggregates over time, at the sampling interval (stall time, scan rate).
  std::optional<probes::TracepointTimeSeries> tracepoint_series;
  if (tracepoints.recorder) {
    tracepoint_series.emplace(*tracepoints.recorder, dir / "tracepoints-timeseries.csv", setup.plan.sample_interval);
    tracepoint_series->stop_on_failure(iteration_stop);
    tracepoint_series->start();
  }
  {
    probes::TimeSeriesSampler sampler(setup.system, cgroup.get(), dir / "timeseries.csv", setup.plan.sample_interval);
    sampler.stop_on_failure(iteration_stop);
    sampler.start();
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (setup.stop.stop_requested()) break;
      auto phase_record = run_phase(setup, setup.plan.phases[i], prepared[i], *cgroup, prepared_ok);
      bool ok = *phase_record.succeeded;
      record.phases.push_back(std::move(phase_record));
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
    record.timeseries_samples = sampler.samples_taken();
    if (!sampler.error().empty()) sampler_errors.push_back(sampler.error());
  }
  if (outer.stop.stop_requested()) status = "interrupted";
  if (tracepoints.recorder) {
    tracepoint_series->stop();
    if (!tracepoint_series->error().empty()) sampler_errors.push_back(tracepoint_series->error());
    auto& recorder = record.tracepoint_recorder.emplace();
    recorder.kind = std::string(tracepoints.recorder->kind());
    recorder.timeseries_rows = tracepoint_series->rows();
    if (!tracepoints.reason.empty()) recorder.reason = tracepoints.reason;  // why not BPF
    auto document =
        results::parse_tracepoints_document(tracepoints.recorder->finish(), (dir / "tracepoints.json").string());
    if (document.lost_events) {
      recorder.has_lost_events = true;
      recorder.lost_events = document.lost_events->count;  // null when the kernel cannot count them
      if (document.lost_events->observable == false) recorder.lost_events_observable = false;
    }
    write_json_atomically(dir / "tracepoints.json", nlohmann::json(document));
    record.tracepoints = probes::tracepoint_summary(document);
    tracepoints.recorder.reset();
  } else {
    record.tracepoint_recorder.emplace().reason = tracepoints.reason;  // "kind": null
  }
  record.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_started).count();
  auto end = probes::take_snapshot(setup.system, cgroup.get());
  probes::write_snapshot_files(end, dir / "snapshots" / "end");

  if (!sampler_errors.empty()) {
    status = "failed";
    record.error = sampler_errors.front();
    for (const auto& e : sampler_errors) setup.progress.note(e);
  }
  record.status = status;
  auto vmstat_delta = counter_delta(start.vmstat, end.vmstat);
  auto memcg_events_delta = counter_delta(start.memcg_events, end.memcg_events);
  record.vmstat_delta = vmstat_delta;
  record.memcg = results::MemcgRecord{
      .stat_start = start.memcg_stat,
      .stat_end = end.memcg_stat,
      .stat_delta = counter_delta(start.memcg_stat, end.memcg_stat),
      .events_delta = memcg_events_delta,
      .peak_bytes = end.memcg_peak_bytes ? std::optional<std::int64_t>(*end.memcg_peak_bytes) : std::nullopt,
      .psi_memory = psi_stall_delta(start, end, "cgroup/memory.pressure"),
  };
  // OOM kills flag the iteration: the test cgroup's own (memory.events, v1
  // memory.oom_control) and the system's; null where the kernel lacks the counter.
  auto oom_kills_in = [](const CounterMap& delta) -> std::optional<std::int64_t> {
    auto it = delta.find("oom_kill");
    return it == delta.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  };
  record.oom_kills = results::OomKills{.memcg = oom_kills_in(memcg_events_delta), .vmstat = oom_kills_in(vmstat_delta)};
  record.fragmentation = nlohmann::json{{"start", probes::fragmentation_json(start.fragmentation)},
                                        {"end", probes::fragmentation_json(end.fragmentation)}};
  record.meminfo_start = start.meminfo;
  record.meminfo_end = end.meminfo;
  record.psi_memory = psi_stall_delta(start, end, "/proc/pressure/memory");

  // The measurements are complete: a cgroup that cannot be emptied yet (a
  // killed dd in D state) is said in the record, not allowed to lose it.
  if (auto problem = end_iteration_cgroup(*cgroup); !problem.empty()) {
    record.cleanup_problem = problem;
    setup.progress.note(
        fmt::format("iteration {}: {}; its results are kept, and the cgroup is removed again when "
                    "the run restores",
                    number, problem));
  }
  write_json_atomically(dir / "result.json", nlohmann::json(record));
  return record;
}

}  // namespace memharness::runner
