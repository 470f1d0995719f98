#include "harness/runner/run_summary.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <ostream>
#include <string>

#include <fmt/core.h>

namespace memharness::runner {

namespace {

struct Row {
  std::string name;
  std::function<std::optional<double>(const nlohmann::json&)> value;  // from one iteration record
  int decimals = 2;
};

std::optional<double> number_at(const nlohmann::json& j, const nlohmann::json::json_pointer& p) {
  if (!j.contains(p)) return std::nullopt;
  const auto& v = j.at(p);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

// Sum of a process-accounting field over every workload of every phase.
std::function<std::optional<double>(const nlohmann::json&)> workload_total(const char* field) {
  return [field](const nlohmann::json& it) -> std::optional<double> {
    double total = 0;
    for (const auto& phase : it.value("phases", nlohmann::json::array()))
      for (const auto& w : phase.value("workloads", nlohmann::json::array()))
        if (w.contains("process") && w["process"].contains(field)) {
          // null: not measured (usage_lost), so the total is not known either
          // (a fresh-clone run crashed here reading it as a number).
          if (!w["process"][field].is_number()) return std::nullopt;
          total += w["process"][field].get<double>();
        }
    return total;
  };
}

std::function<std::optional<double>(const nlohmann::json&)> at(const std::string& pointer, double scale = 1.0) {
  return [p = nlohmann::json::json_pointer(pointer), scale](const nlohmann::json& it) -> std::optional<double> {
    auto v = number_at(it, p);
    if (!v) return std::nullopt;
    return *v * scale;
  };
}

void write_rows(std::ostream& out, const std::string& title, const std::vector<Row>& rows,
                const std::vector<nlohmann::json>& iterations) {
  out << fmt::format("{:<46}{:>14}{:>14}{:>14}\n", title, "mean", "min", "max");
  for (const auto& row : rows) {
    double sum = 0, lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    int n = 0;
    for (const auto& it : iterations) {
      if (auto v = row.value(it)) {
        sum += *v;
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
        ++n;
      }
    }
    if (n == 0) {
      out << fmt::format("  {:<44}{:>14}{:>14}{:>14}\n", row.name, "n/a", "n/a", "n/a");
      continue;
    }
    out << fmt::format("  {:<44}{:>14.{}f}{:>14.{}f}{:>14.{}f}\n", row.name, sum / n, row.decimals, lo,
                       row.decimals, hi, row.decimals);
  }
}

// One row per numeric metric of every workload instance ("dd-writeback
// threads-8-mb-per-s"), in the order the first iteration that has it lists them.
std::vector<Row> workload_metric_rows(const std::vector<nlohmann::json>& iterations) {
  std::vector<Row> rows;
  std::set<std::string> seen;
  for (const auto& it : iterations)
    for (const auto& phase : it.value("phases", nlohmann::json::array()))
      for (const auto& w : phase.value("workloads", nlohmann::json::array())) {
        // A named copy: items() of a temporary would iterate a destroyed object.
        const nlohmann::json metrics = w.value("metrics", nlohmann::json::object());
        for (const auto& [name, value] : metrics.items()) {
          if (!value.is_number()) continue;
          std::string instance = w.value("instance", "");
          if (!seen.insert(instance + "/" + name).second) continue;
          // metric = name: a structured binding cannot be captured before
          // C++20's P1091, which clang 14 (the fuzz build's) lacks.
          auto extract = [phase_name = phase.value("name", ""), instance,
                          metric = std::string(name)](const nlohmann::json& record) -> std::optional<double> {
            for (const auto& p : record.value("phases", nlohmann::json::array()))
              if (p.value("name", "") == phase_name)
                for (const auto& wl : p.value("workloads", nlohmann::json::array()))
                  if (wl.value("instance", "") == instance && wl.contains("metrics") &&
                      wl["metrics"].contains(metric) && wl["metrics"][metric].is_number())
                    return wl["metrics"][metric].get<double>();
            return std::nullopt;
          };
          rows.push_back({instance + " " + name, extract, 2});
        }
      }
  return rows;
}

}  // namespace

void write_run_summary(std::ostream& out, const nlohmann::json& manifest,
                       const std::vector<nlohmann::json>& iteration_records,
                       const std::filesystem::path& run_directory) {
  const auto& iterations = manifest["iterations"];
  out << fmt::format("\nmemharness: {} on {} ({}), label {}: {}, {}/{} iterations complete\n",
                     manifest.value("test", "?"),
                     manifest["machine"]["kernel"].value("release", std::string("unknown kernel")),
                     manifest.value("target", "?"), manifest.value("label", "?"), manifest.value("status", "?"),
                     iterations.value("completed", 0), iterations.value("planned", 0));
  if (manifest.contains("status_reason")) out << "  " << manifest["status_reason"].get<std::string>() << '\n';
  std::vector<nlohmann::json> complete;
  for (const auto& it : iteration_records)
    if (it.value("status", "") == "complete") complete.push_back(it);
  if (!complete.empty()) {
    out << '\n';
    write_rows(out, "Workload (per iteration)",
               {{"Elapsed (s)", at("/elapsed_s")},
                {"User (s)", workload_total("user_s")},
                {"Sys (s)", workload_total("sys_s")}},
               complete);
    if (auto rows = workload_metric_rows(complete); !rows.empty()) {
      out << '\n';
      write_rows(out, "Workload metrics", rows, complete);
    }
    out << '\n';
    write_rows(out, "Memory cgroup",
               {{"Limit hits (memory.events max)", at("/memcg/events_delta/max"), 0},
                {"OOM kills (memory.events)", at("/memcg/events_delta/oom_kill"), 0},
                {"Peak usage (MiB)", at("/memcg/peak_bytes", 1.0 / (1 << 20)), 1},
                {"Pages scanned (memcg pgscan)", at("/memcg/stat_delta/pgscan"), 0},
                {"Pages reclaimed (memcg pgsteal)", at("/memcg/stat_delta/pgsteal"), 0},
                {"Swap at end (MiB)", at("/memcg/stat_end/swap", 1.0 / (1 << 20)), 1},
                {"Refaults anon", at("/memcg/stat_delta/workingset_refault_anon"), 0},
                {"Refaults file", at("/memcg/stat_delta/workingset_refault_file"), 0},
                {"Major faults", at("/memcg/stat_delta/pgmajfault"), 0},
                {"Cgroup PSI memory some (ms)", at("/memcg/psi_memory/some_stall_us", 1e-3), 1},
                {"PSI memory some (ms)", at("/psi_memory/some_stall_us", 1e-3), 1},
                {"PSI memory full (ms)", at("/psi_memory/full_stall_us", 1e-3), 1}},
               complete);
    out << '\n';
    // From the tracepoint recorder (iterations/N/tracepoints.json); n/a when
    // no recorder ran or the kernel lacks the events.
    write_rows(out, "Reclaim (tracepoints)",
               {{"Direct reclaims", at("/tracepoints/direct_reclaims"), 0},
                {"Time stalled direct reclaim (ms)", at("/tracepoints/direct_reclaim_stall_ms"), 2},
                {"Memcg reclaims (workloads)", at("/tracepoints/memcg_reclaims"), 0},
                {"Time stalled memcg reclaim (ms)", at("/tracepoints/memcg_reclaim_stall_ms"), 2},
                {"Kswapd wakeups", at("/tracepoints/kswapd_wakeups"), 0},
                {"Time kswapd awake (ms)", at("/tracepoints/kswapd_awake_ms"), 2},
                {"Direct reclaim write file", at("/tracepoints/direct_reclaim_write_file"), 0},
                {"Direct reclaim write anon", at("/tracepoints/direct_reclaim_write_anon"), 0},
                {"Kswapd reclaim write file", at("/tracepoints/kswapd_reclaim_write_file"), 0},
                {"Kswapd reclaim write anon", at("/tracepoints/kswapd_reclaim_write_anon"), 0}},
               complete);
    out << '\n';
    std::vector<Row> vmstat_rows;
    for (const char* c : {"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "allocstall_normal",
                          "allocstall_movable", "pswpout", "pswpin", "nr_vmscan_write", "workingset_refault_anon",
                          "workingset_refault_file", "pgmajfault", "compact_stall", "oom_kill"})
      vmstat_rows.push_back({c, at(std::string("/vmstat_delta/") + c), 0});
    write_rows(out, "vmstat deltas (whole system)", vmstat_rows, complete);
  }
  out << "\nRun directory: " << run_directory.string() << '\n';
}

}  // namespace memharness::runner
