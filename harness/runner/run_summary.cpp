#include "harness/runner/run_summary.h"

#include <algorithm>
#include <ostream>
#include <string>

#include <fmt/core.h>

namespace memharness::runner {

namespace {

using Extract = std::function<std::optional<double>(const results::IterationRecord&)>;

// Sum of a process-accounting field over every workload of every phase.
Extract workload_total(std::optional<double> results::ProcessRecord::*field) {
  return [field](const results::IterationRecord& it) -> std::optional<double> {
    double total = 0;
    for (const auto& phase : it.phases)
      for (const auto& w : phase.workloads)
        if (w.process) {
          // null: not measured (usage_lost), so the total is not known either
          // (a fresh-clone run crashed here reading it as a number).
          if (!(*w.process.*field)) return std::nullopt;
          total += *(*w.process.*field);
        }
    return total;
  };
}

Extract scaled(Extract extract, double scale) {
  return [extract = std::move(extract), scale](const results::IterationRecord& it) -> std::optional<double> {
    auto v = extract(it);
    if (!v) return std::nullopt;
    return *v * scale;
  };
}

template <typename T>
std::optional<double> as_double(const std::optional<T>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// A counter of one of the memcg's maps (events_delta, stat_delta, stat_end).
Extract memcg_counter(std::optional<CounterMap> results::MemcgRecord::*map, const std::string& name,
                      double scale = 1.0) {
  return scaled(
      [map, name](const results::IterationRecord& it) -> std::optional<double> {
        return it.memcg ? results::counter(*it.memcg.*map, name) : std::nullopt;
      },
      scale);
}

// A PSI stall time in ms: the system's or, `memcg`, the test cgroup's.
Extract psi_ms(bool memcg, bool full) {
  return [memcg, full](const results::IterationRecord& it) -> std::optional<double> {
    const auto& psi = memcg ? (it.memcg ? it.memcg->psi_memory : std::nullopt) : it.psi_memory;
    if (!psi) return std::nullopt;
    auto us = as_double(full ? psi->full_stall_us : psi->some_stall_us);
    return us ? std::optional(*us * 1e-3) : std::nullopt;
  };
}

// A headline tracepoint figure of result.json's "tracepoints".
template <typename T>
Extract tracepoint(std::optional<T> results::TracepointSummary::*figure) {
  return [figure](const results::IterationRecord& it) -> std::optional<double> {
    return it.tracepoints ? as_double(*it.tracepoints.*figure) : std::nullopt;
  };
}

// A workload metric of one instance, as the phase where it was first seen
// records it (a later phase's figure of the same name is another measurement).
Extract workload_metric(std::string phase_name, std::string instance, std::string metric) {
  return [phase_name = std::move(phase_name), instance = std::move(instance),
          metric = std::move(metric)](const results::IterationRecord& record) -> std::optional<double> {
    for (const auto& p : record.phases)
      if (p.name == phase_name)
        for (const auto& wl : p.workloads)
          if (wl.instance == instance)
            if (auto v = wl.metric(metric)) return v;
    return std::nullopt;
  };
}

}  // namespace

void RunSummary::Row::add(const results::IterationRecord& iteration) {
  auto v = value(iteration);
  if (!v) return;
  sum += *v;
  min = n == 0 ? *v : std::min(min, *v);
  max = n == 0 ? *v : std::max(max, *v);
  ++n;
}

void RunSummary::Table::add(const results::IterationRecord& iteration) {
  for (auto& row : rows) row.add(iteration);
}

void RunSummary::Table::write(std::ostream& out) const {
  out << fmt::format("{:<46}{:>14}{:>14}{:>14}\n", title, "mean", "min", "max");
  for (const auto& row : rows) {
    if (row.n == 0) {
      out << fmt::format("  {:<44}{:>14}{:>14}{:>14}\n", row.name, "n/a", "n/a", "n/a");
      continue;
    }
    out << fmt::format("  {:<44}{:>14.{}f}{:>14.{}f}{:>14.{}f}\n", row.name, row.sum / row.n, row.decimals, row.min,
                       row.decimals, row.max, row.decimals);
  }
}

RunSummary::RunSummary() {
  using results::MemcgRecord;
  using results::TracepointSummary;
  workload_ = {"Workload (per iteration)",
               {{"Elapsed (s)", [](const results::IterationRecord& it) { return it.elapsed_s; }},
                {"User (s)", workload_total(&results::ProcessRecord::user_s)},
                {"Sys (s)", workload_total(&results::ProcessRecord::sys_s)}}};
  workload_metrics_.title = "Workload metrics";
  memcg_ = {"Memory cgroup",
            {{"Limit hits (memory.events max)", memcg_counter(&MemcgRecord::events_delta, "max"), 0},
             {"OOM kills (memory.events)", memcg_counter(&MemcgRecord::events_delta, "oom_kill"), 0},
             {"Peak usage (MiB)",
              scaled(
                  [](const results::IterationRecord& it) {
                    return it.memcg ? as_double(it.memcg->peak_bytes) : std::nullopt;
                  },
                  1.0 / (1 << 20)),
              1},
             {"Pages scanned (memcg pgscan)", memcg_counter(&MemcgRecord::stat_delta, "pgscan"), 0},
             {"Pages reclaimed (memcg pgsteal)", memcg_counter(&MemcgRecord::stat_delta, "pgsteal"), 0},
             {"Swap at end (MiB)", memcg_counter(&MemcgRecord::stat_end, "swap", 1.0 / (1 << 20)), 1},
             {"Refaults anon", memcg_counter(&MemcgRecord::stat_delta, "workingset_refault_anon"), 0},
             {"Refaults file", memcg_counter(&MemcgRecord::stat_delta, "workingset_refault_file"), 0},
             {"Major faults", memcg_counter(&MemcgRecord::stat_delta, "pgmajfault"), 0},
             {"Cgroup PSI memory some (ms)", psi_ms(true, false), 1},
             {"PSI memory some (ms)", psi_ms(false, false), 1},
             {"PSI memory full (ms)", psi_ms(false, true), 1}}};
  // From the tracepoint recorder (iterations/N/tracepoints.json); n/a when
  // no recorder ran or the kernel lacks the events.
  tracepoints_ = {"Reclaim (tracepoints)",
                  {{"Direct reclaims", tracepoint(&TracepointSummary::direct_reclaims), 0},
                   {"Time stalled direct reclaim (ms)", tracepoint(&TracepointSummary::direct_reclaim_stall_ms), 2},
                   {"Memcg reclaims (workloads)", tracepoint(&TracepointSummary::memcg_reclaims), 0},
                   {"Time stalled memcg reclaim (ms)", tracepoint(&TracepointSummary::memcg_reclaim_stall_ms), 2},
                   {"Kswapd wakeups", tracepoint(&TracepointSummary::kswapd_wakeups), 0},
                   {"Time kswapd awake (ms)", tracepoint(&TracepointSummary::kswapd_awake_ms), 2},
                   {"Direct reclaim write file", tracepoint(&TracepointSummary::direct_reclaim_write_file), 0},
                   {"Direct reclaim write anon", tracepoint(&TracepointSummary::direct_reclaim_write_anon), 0},
                   {"Kswapd reclaim write file", tracepoint(&TracepointSummary::kswapd_reclaim_write_file), 0},
                   {"Kswapd reclaim write anon", tracepoint(&TracepointSummary::kswapd_reclaim_write_anon), 0}}};
  vmstat_.title = "vmstat deltas (whole system)";
  for (const char* c : {"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "allocstall_normal",
                        "allocstall_movable", "pswpout", "pswpin", "nr_vmscan_write", "workingset_refault_anon",
                        "workingset_refault_file", "pgmajfault", "compact_stall", "oom_kill"})
    vmstat_.rows.push_back({c,
                            [name = std::string(c)](const results::IterationRecord& it) {
                              return results::counter(it.vmstat_delta, name);
                            },
                            0});
}

// One row per numeric metric of every workload instance ("dd-writeback
// threads-8-mb-per-s"), in the order the first iteration that has it lists
// them. An iteration before the one that brings a row has no value for it, so
// the row misses nothing by starting there.
void RunSummary::discover_workload_metrics(const results::IterationRecord& iteration) {
  for (const auto& phase : iteration.phases)
    for (const auto& w : phase.workloads)
      for (const auto& [name, value] : w.metrics.items()) {
        if (!value.is_number()) continue;
        if (!metrics_seen_.insert(w.instance + "/" + name).second) continue;
        Row row{w.instance + " " + name, workload_metric(phase.name, w.instance, std::string(name)), 2};
        row.add(iteration);
        workload_metrics_.rows.push_back(std::move(row));
      }
}

void RunSummary::add(const results::IterationRecord& iteration) {
  if (iteration.status != "complete") return;
  ++complete_;
  workload_.add(iteration);
  workload_metrics_.add(iteration);  // the rows known so far, then the ones it brings
  discover_workload_metrics(iteration);
  memcg_.add(iteration);
  tracepoints_.add(iteration);
  vmstat_.add(iteration);
}

void RunSummary::write(std::ostream& out, const results::RunManifest& manifest,
                       const std::filesystem::path& run_directory) const {
  auto iterations = manifest.iterations.value_or(results::IterationCounts{});
  std::string release = manifest.kernel_release();
  out << fmt::format(
      "\nmemharness: {} on {} ({}), label {}: {}, {}/{} iterations complete\n", manifest.test.value_or("?"),
      release.empty() ? "unknown kernel" : release, manifest.target.value_or("?"), manifest.label.value_or("?"),
      manifest.status ? results::to_string(*manifest.status) : "?", iterations.completed, iterations.planned);
  if (manifest.status_reason) out << "  " << *manifest.status_reason << '\n';
  if (complete_ > 0) {
    for (const Table* table : {&workload_, &workload_metrics_, &memcg_, &tracepoints_, &vmstat_}) {
      if (table->rows.empty()) continue;  // only the metrics' table can be
      out << '\n';
      table->write(out);
    }
  }
  out << "\nRun directory: " << run_directory.string() << '\n';
}

}  // namespace memharness::runner
