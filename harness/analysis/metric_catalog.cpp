#include "harness/analysis/metric_catalog.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "harness/analysis/metric_names.h"

namespace memharness::analysis {

namespace {

using json = nlohmann::json;
using results::IterationRecord;
using results::MemcgRecord;
using results::StoredIteration;
constexpr auto lower = Direction::lower_is_better;
constexpr auto higher = Direction::higher_is_better;

Extractor scaled(Extractor extract, double scale) {
  if (scale == 1.0) return extract;
  return [extract = std::move(extract), scale](const StoredIteration& it) -> std::optional<double> {
    auto v = extract(it);
    if (!v) return std::nullopt;
    return *v * scale;
  };
}

template <typename T>
std::optional<double> as_double(const std::optional<T>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// Sum of a process-accounting field over every workload of every phase; n/a when
// no workload recorded it.
Extractor workload_process_total(std::optional<double> results::ProcessRecord::*field) {
  return [field](const StoredIteration& it) -> std::optional<double> {
    std::optional<double> total;
    for (const auto& phase : it.record.phases)
      for (const auto& w : phase.workloads)
        if (w.process && *w.process.*field) total = total.value_or(0.0) + *(*w.process.*field);
    return total;
  };
}

// A workload metric by instance name: the first phase that recorded it.
Extractor workload_metric(const std::string& instance, const std::string& metric) {
  return [instance, metric](const StoredIteration& it) { return it.record.workload_metric(instance, metric); };
}

Extractor elapsed_seconds() {
  return [](const StoredIteration& it) { return it.record.elapsed_s; };
}

// A counter of one of the test cgroup's maps (events_delta, stat_delta).
Extractor memcg_counter(std::optional<CounterMap> MemcgRecord::*map, const std::string& name) {
  return [map, name](const StoredIteration& it) -> std::optional<double> {
    return it.record.memcg ? results::counter(*it.record.memcg.*map, name) : std::nullopt;
  };
}

// A PSI stall time in microseconds: the system's or, `memcg`, the test cgroup's.
Extractor psi_stall_us(bool memcg, bool full) {
  return [memcg, full](const StoredIteration& it) -> std::optional<double> {
    const auto& psi = memcg ? (it.record.memcg ? it.record.memcg->psi_memory : std::nullopt) : it.record.psi_memory;
    if (!psi) return std::nullopt;
    return as_double(full ? psi->full_stall_us : psi->some_stall_us);
  };
}

// A figure of tracepoints.json at a pointer into it, times scale; n/a without
// the file or where the kernel lacks the figure's events.
Extractor tracepoint_figure(const std::string& pointer, double scale = 1.0) {
  return [pointer, scale](const StoredIteration& it) -> std::optional<double> {
    if (!it.tracepoints) return std::nullopt;
    auto v = it.tracepoints->number_at(pointer);
    if (!v) return std::nullopt;
    return *v * scale;
  };
}

// The huge-page success percentages of highalloc ("pass1-success-pct" ...):
// what that test is for, so their rows lead the report.
bool is_success_metric(const std::string& name) { return name.ends_with("-success-pct"); }

// Where a workload metric's row goes: success first, then latency (both lead
// the report, before Elapsed: they are what such a test is for), then the
// rest; within each, passes in the order they ran, then by name.
std::tuple<int, int, std::string, std::string> workload_metric_order(const std::string& instance,
                                                                     const std::string& name) {
  int kind = is_success_metric(name) ? 0 : name.find("-latency-") != std::string::npos ? 1 : 2;
  int pass = 3;
  for (int i = 0; const char* prefix : {"pass1-", "pass2-", "at-rest-"}) {
    if (name.starts_with(prefix)) pass = i;
    ++i;
  }
  return {kind, pass, instance, name};
}

MetricDef vmstat(const std::string& counter, Direction d = lower, bool gates = false,
                 const std::string& unit = "pages") {
  MetricDef m;
  m.id = "vmstat." + counter;
  m.title = counter;
  m.unit = unit;
  m.direction = d;
  m.section = Section::vmstat;
  m.source = "/vmstat_delta/" + counter;
  m.extract = [counter](const StoredIteration& it) { return results::counter(it.record.vmstat_delta, counter); };
  m.gates = gates;
  m.decimals = 0;
  return m;
}

MetricDef memcg(const std::string& id, const std::string& title, const std::string& pointer, const std::string& unit,
                Extractor extract, double scale = 1.0, int decimals = 0) {
  MetricDef m;
  m.id = "memcg." + id;
  m.title = title;
  m.unit = unit;
  m.section = Section::memcg;
  m.source = pointer;
  m.extract = scaled(std::move(extract), scale);
  m.decimals = decimals;
  return m;
}

// Tracepoint aggregates: iterations/N/tracepoints.json (schema_version 1, docs/probes.md
// "tracepoints.json"; results/tracepoints_document.h). System scope, as in the
// postings. A figure the kernel lacks is {"available": false}: the pointer
// finds no number, so the metric is n/a. Only these pointers change with that
// schema.
MetricDef tracepoint(const std::string& id, const std::string& title, const std::string& pointer,
                     const std::string& unit, double scale = 1.0, int decimals = 0, bool gates = false) {
  MetricDef m;
  m.id = "tracepoint." + id;
  m.title = title;
  m.unit = unit;
  m.section = Section::tracepoints;
  m.source = std::string(tracepoints_source_prefix) + pointer;
  m.extract = tracepoint_figure(pointer, scale);
  m.decimals = decimals;
  m.gates = gates;
  return m;
}

}  // namespace

const char* to_string(Direction direction) {
  return direction == Direction::lower_is_better ? "lower_is_better" : "higher_is_better";
}

const char* to_string(Section section) {
  switch (section) {
    case Section::workload: return "workload";
    case Section::tracepoints: return "tracepoints";
    case Section::memcg: return "memcg";
    case Section::vmstat: return "vmstat";
    case Section::time: return "time";
  }
  return "unknown";
}

std::vector<MetricDef> build_catalog(const std::vector<const StoredIteration*>& iterations) {
  std::vector<MetricDef> c;
  auto add = [&c](MetricDef m) { c.push_back(std::move(m)); };

  // Workload results: the workloads' own success and latency figures, then
  // the process totals, then the workloads' other figures.
  std::set<std::pair<std::string, std::string>> workload_metrics;
  for (const auto* it : iterations)
    for (const auto& phase : it->record.phases)
      for (const auto& w : phase.workloads)
        for (const auto& [name, value] : w.metrics.items())
          if (value.is_number()) workload_metrics.insert({w.instance, name});
  std::vector<std::pair<std::string, std::string>> ordered(workload_metrics.begin(), workload_metrics.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return workload_metric_order(a.first, a.second) < workload_metric_order(b.first, b.second);
  });
  // What the workloads declared of each metric (the first record that says);
  // a record of an older harness declares nothing, and its names say it.
  std::map<std::pair<std::string, std::string>, results::MetricDeclaration> declared;
  for (const auto* it : iterations)
    for (const auto& phase : it->record.phases)
      for (const auto& w : phase.workloads)
        if (w.metric_declarations)
          for (const auto& [name, declaration] : *w.metric_declarations)
            declared.try_emplace({w.instance, name}, declaration);
  auto add_workload_metric = [&add, &declared](const std::string& instance, const std::string& name) {
    auto found = declared.find({instance, name});
    const auto d = found != declared.end() ? found->second : declaration_from_name(name);
    // "vm-bogo-ops-per-second-real-time" -> "vm-bogo-ops/s-real-time": row names stay short.
    std::string title = name;
    if (auto pos = title.find("-per-second"); pos != std::string::npos) title.replace(pos, 11, "/s");
    add({.id = "workload." + instance + "." + name,
         .title = title,
         .unit = d.unit,
         .direction = d.higher_is_better ? higher : lower,
         .section = Section::workload,
         .source = "/phases/*/workloads/{instance=" + instance + "}/metrics/" + name,
         .extract = workload_metric(instance, name),
         .gates = d.gates,
         .harmonic_mean = d.harmonic_mean,
         .detailed = true});
  };
  auto leads = [](const auto& m) { return std::get<0>(workload_metric_order(m.first, m.second)) < 2; };
  for (const auto& [instance, name] : ordered)
    if (leads(std::pair(instance, name)) && name.find("exit-status") == std::string::npos)
      add_workload_metric(instance, name);
  add({.id = "elapsed",
       .title = "Elapsed",
       .unit = "s",
       .section = Section::workload,
       .source = "/elapsed_s",
       .extract = elapsed_seconds(),
       .gates = true,
       .detailed = true});
  add({.id = "user",
       .title = "User",
       .unit = "s",
       .section = Section::workload,
       .source = "sum of /phases/*/workloads/*/process/user_s",
       .extract = workload_process_total(&results::ProcessRecord::user_s),
       .detailed = true});
  add({.id = "system",
       .title = "System",
       .unit = "s",
       .section = Section::workload,
       .source = "sum of /phases/*/workloads/*/process/sys_s",
       .extract = workload_process_total(&results::ProcessRecord::sys_s),
       .detailed = true});
  for (const auto& [instance, name] : ordered) {
    if (name.find("exit-status") != std::string::npos) continue;  // a status, not a measurement
    if (!leads(std::pair(instance, name))) add_workload_metric(instance, name);
  }

  // Reclaim and compaction from tracepoints (n/a until tracepoints.json exists).
  add(tracepoint("direct_reclaims", "Direct reclaims", "/scopes/system/contexts/direct_reclaim/stalls/count",
                 "events"));
  add(tracepoint("direct_reclaim_scanned", "Direct reclaim pages scanned",
                 "/scopes/system/contexts/direct_reclaim/reclaim/pages_scanned", "pages"));
  // Every LRU list, active (aging) included: trace-vmscan-postprocess.pl's "pages scanned".
  add(tracepoint("direct_reclaim_lru_scanned", "Direct reclaim LRU pages scanned",
                 "/scopes/system/contexts/direct_reclaim/isolate/pages_scanned", "pages"));
  add(tracepoint("direct_reclaim_write_file", "Direct reclaim write file",
                 "/scopes/system/contexts/direct_reclaim/writes/file", "pages", 1.0, 0, true));
  add(tracepoint("direct_reclaim_write_anon", "Direct reclaim write anon",
                 "/scopes/system/contexts/direct_reclaim/writes/anon", "pages", 1.0, 0, true));
  add(tracepoint("kswapd_wake_requests", "Wake kswapd requests", "/scopes/system/kswapd/wake_requests/count",
                 "events"));
  add(tracepoint("kswapd_wakeups", "Kswapd wakeups", "/scopes/system/kswapd/wakeups/count", "events"));
  add(tracepoint("kswapd_scanned", "Kswapd pages scanned", "/scopes/system/contexts/kswapd/reclaim/pages_scanned",
                 "pages"));
  add(tracepoint("kswapd_lru_scanned", "Kswapd LRU pages scanned",
                 "/scopes/system/contexts/kswapd/isolate/pages_scanned", "pages"));
  add(tracepoint("kswapd_write_file", "Kswapd reclaim write file", "/scopes/system/contexts/kswapd/writes/file",
                 "pages"));
  add(tracepoint("kswapd_write_anon", "Kswapd reclaim write anon", "/scopes/system/contexts/kswapd/writes/anon",
                 "pages"));
  add(tracepoint("direct_reclaim_stall_ms", "Time stalled direct reclaim (ms)",
                 "/scopes/system/contexts/direct_reclaim/stalls/total_ns", "ms", 1e-6, 2, true));
  add(tracepoint("kswapd_awake_ms", "Time kswapd awake (ms)", "/scopes/system/kswapd/awake/total_ns", "ms", 1e-6, 2));
  add(tracepoint("memcg_reclaims", "Memcg reclaims", "/scopes/system/contexts/memcg_reclaim/stalls/count", "events"));
  add(tracepoint("memcg_reclaim_scanned", "Memcg reclaim pages scanned",
                 "/scopes/system/contexts/memcg_reclaim/reclaim/pages_scanned", "pages"));
  add(tracepoint("memcg_reclaim_write_file", "Memcg reclaim write file",
                 "/scopes/system/contexts/memcg_reclaim/writes/file", "pages"));
  add(tracepoint("memcg_reclaim_write_anon", "Memcg reclaim write anon",
                 "/scopes/system/contexts/memcg_reclaim/writes/anon", "pages"));
  add(tracepoint("memcg_reclaim_stall_ms", "Time stalled memcg reclaim (ms)",
                 "/scopes/system/contexts/memcg_reclaim/stalls/total_ns", "ms", 1e-6, 2, true));
  add(tracepoint("direct_compactions", "Direct compactions", "/scopes/system/compaction/direct_compactions/count",
                 "events"));
  add(tracepoint("direct_compaction_stall_ms", "Time stalled compaction (ms)",
                 "/scopes/system/contexts/direct_compaction/stalls/total_ns", "ms", 1e-6, 2));
  add(tracepoint("compaction_migrated", "Compaction pages migrated", "/scopes/system/compaction/migrate/pages_migrated",
                 "pages"));
  add(tracepoint("compaction_migrate_failed", "Compaction migrate failures",
                 "/scopes/system/compaction/migrate/pages_failed", "pages"));
  add(tracepoint("kcompactd_wakeups", "Kcompactd wakeups", "/scopes/system/compaction/kcompactd_wakeups/count",
                 "events"));

  // The test cgroup.
  add(memcg("limit_hits", "Limit hits (memory.events max)", "/memcg/events_delta/max", "events",
            memcg_counter(&MemcgRecord::events_delta, "max")));
  add(memcg("oom_kill", "OOM kills (memory.events)", "/memcg/events_delta/oom_kill", "events",
            memcg_counter(&MemcgRecord::events_delta, "oom_kill")));
  c.back().gates = true;  // a kernel that OOM-kills where the baseline did not regressed
  add(memcg(
      "peak_mib", "Peak usage (MiB)", "/memcg/peak_bytes", "MiB",
      [](const StoredIteration& it) { return it.record.memcg ? as_double(it.record.memcg->peak_bytes) : std::nullopt; },
      1.0 / (1 << 20), 1));
  for (const auto& [id, title, unit] :
       {std::tuple<const char*, const char*, const char*>{"pgscan", "Pages scanned (memcg pgscan)", "pages"},
        {"pgsteal", "Pages reclaimed (memcg pgsteal)", "pages"},
        {"workingset_refault_anon", "Refaults anon", "pages"},
        {"workingset_refault_file", "Refaults file", "pages"},
        {"pgmajfault", "Major faults", "events"}})
    add(memcg(id, title, std::string("/memcg/stat_delta/") + id, unit, memcg_counter(&MemcgRecord::stat_delta, id)));
  add(memcg("psi_some_ms", "Cgroup PSI memory some (ms)", "/memcg/psi_memory/some_stall_us", "ms",
            psi_stall_us(true, false), 1e-3, 1));
  add(memcg("psi_full_ms", "Cgroup PSI memory full (ms)", "/memcg/psi_memory/full_stall_us", "ms",
            psi_stall_us(true, true), 1e-3, 1));
  c.back().gates = true;
  add({.id = "psi.some_ms",
       .title = "PSI memory some (ms)",
       .unit = "ms",
       .section = Section::memcg,
       .source = "/psi_memory/some_stall_us",
       .extract = scaled(psi_stall_us(false, false), 1e-3),
       .decimals = 1});
  add({.id = "psi.full_ms",
       .title = "PSI memory full (ms)",
       .unit = "ms",
       .section = Section::memcg,
       .source = "/psi_memory/full_stall_us",
       .extract = scaled(psi_stall_us(false, true), 1e-3),
       .gates = true,
       .decimals = 1});

  // Whole-system vmstat deltas.
  for (const char* name : {"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "pgscan_anon",
                           "pgscan_file", "pgsteal_anon", "pgsteal_file"})
    add(vmstat(name));
  for (const char* name : {"allocstall_normal", "allocstall_movable", "allocstall_dma32"})
    add(vmstat(name, lower, false, "events"));
  add(vmstat("pswpin"));
  add(vmstat("pswpout"));
  add(vmstat("nr_vmscan_write", lower, true));
  add(vmstat("nr_vmscan_immediate_reclaim"));
  for (const char* name :
       {"workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file"})
    add(vmstat(name));
  add(vmstat("pgmajfault", lower, false, "events"));
  for (const char* name : {"compact_stall", "compact_fail"}) add(vmstat(name, lower, false, "events"));
  add(vmstat("compact_success", higher, false, "events"));
  for (const char* name : {"compact_migrate_scanned", "compact_free_scanned", "compact_isolated"}) add(vmstat(name));
  add(vmstat("pgmigrate_success"));
  add(vmstat("pgmigrate_fail"));
  add(vmstat("thp_fault_alloc", higher, false, "events"));
  add(vmstat("thp_fault_fallback", lower, true, "events"));
  add(vmstat("thp_fault_fallback_charge", lower, false, "events"));
  add(vmstat("thp_collapse_alloc", higher, false, "events"));
  add(vmstat("thp_collapse_alloc_failed", lower, false, "events"));
  add(vmstat("oom_kill", lower, false, "events"));

  // Time: the rows at the end of Mel Gorman's postings, per iteration.
  add({.id = "time.user_sys",
       .title = "User/Sys Time Running Test (seconds)",
       .unit = "s",
       .section = Section::time,
       .source = "user + system",
       .extract = [u = workload_process_total(&results::ProcessRecord::user_s),
                   s = workload_process_total(&results::ProcessRecord::sys_s)](
                      const StoredIteration& it) -> std::optional<double> {
         auto a = u(it), b = s(it);
         if (!a || !b) return std::nullopt;
         return *a + *b;
       }});
  c.back().show_total = true;
  add({.id = "time.direct_reclaim_pct",
       .title = "Percentage Time Spent Direct Reclaim",
       .unit = "%",
       .section = Section::time,
       .source = "stall / (user + sys + stall), stall from tracepoints",
       .extract = [u = workload_process_total(&results::ProcessRecord::user_s),
                   s = workload_process_total(&results::ProcessRecord::sys_s),
                   stall = tracepoint_figure("/scopes/system/contexts/direct_reclaim/stalls/total_ns", 1e-9)](
                      const StoredIteration& it) -> std::optional<double> {
         auto a = u(it), b = s(it), st = stall(it);
         if (!a || !b || !st || *a + *b + *st <= 0) return std::nullopt;
         return 100.0 * *st / (*a + *b + *st);
       }});
  add({.id = "time.elapsed",
       .title = "Total Elapsed Time (seconds)",
       .unit = "s",
       .section = Section::time,
       .source = "/elapsed_s",
       .extract = elapsed_seconds()});
  c.back().show_total = true;
  add({.id = "time.kswapd_awake_pct",
       .title = "Percentage Time kswapd Awake",
       .unit = "%",
       .section = Section::time,
       .source = "kswapd awake / elapsed, awake from tracepoints",
       .extract = [awake = tracepoint_figure("/scopes/system/kswapd/awake/total_ns", 1e-9),
                   elapsed = elapsed_seconds()](const StoredIteration& it) -> std::optional<double> {
         auto a = awake(it), e = elapsed(it);
         if (!a || !e || *e <= 0) return std::nullopt;
         return 100.0 * *a / *e;
       }});
  return c;
}

}  // namespace memharness::analysis
