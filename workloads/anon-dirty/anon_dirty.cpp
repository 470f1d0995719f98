// anon-dirty: stress-ng vm workers dirtying anonymous memory beyond the cgroup
// limit, so that memcg reclaim (and swap, when there is any) has to keep up.
// With a `rate`, our own paced dirtier (anon_dirtier.h) replaces stress-ng,
// which has no way to dirty at a given byte rate: its --vm-ops bogo ops are no
// fixed number of bytes, and restarting it per round would drop the kept mapping.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/core.h>

#include "workloads/registry.h"
#include "workloads/run_counters.h"
#include "workloads/stress-ng/stress_ng.h"

namespace memharness::workloads {
namespace {

class AnonDirty final : public Workload {
 public:
  explicit AnonDirty(const ResolvedParams& params) : params_(params) {}

  WorkloadResult run(const WorkloadContext& context) override {
    return params_.integer("rate") > 0 ? run_paced(context) : run_stress_ng(context);
  }

 private:
  // Pages swapped out and in while the dirtiers ran: system-wide (vmstat) and,
  // where the kernel counts them per cgroup (v2 memory.stat), the test cgroup's.
  static void record_swap_counters(const RunCounters& counters, WorkloadResult& result) {
    for (const auto& [key, value] : counters.delta())
      if (key.ends_with("pswpin") || key.ends_with("pswpout")) result.metrics[counter_metric_name(key)] = value;
  }

  // A child killed by a signal (OOM kill, the deadline) or never started: the
  // sentence to fail with, or empty.
  static std::string abnormal_end(const system::ProcessOutcome& outcome) {
    if (!outcome.started) return outcome.failure;
    if (outcome.term_signal != 0) return outcome.failure_sentence();
    return {};
  }

  WorkloadResult run_paced(const WorkloadContext& context) {
    const auto report_file = context.output_dir / "dirtier.json";
    const auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(params_.duration("duration")).count();
    const std::int64_t ops = params_.integer("ops");
    std::vector<std::string> argv = {
        std::filesystem::read_symlink("/proc/self/exe").string(),
        "internal-dirty-anon",
        "--bytes",
        std::to_string(params_.integer("vm-bytes")),
        "--workers",
        std::to_string(params_.integer("workers")),
        "--rate",
        std::to_string(params_.integer("rate")),
        "--duration-ms",
        std::to_string(std::max<std::int64_t>(milliseconds, 1)),
        "--max-pages",
        std::to_string(ops),
        "--report",
        report_file.string(),
    };
    WorkloadResult result;
    RunCounters counters(context.system, context.cgroup);
    result.totals = context.spawn(argv, "dirtier");
    record_swap_counters(counters, result);
    result.details["command"] = argv;
    if (result.failure = abnormal_end(result.totals); !result.failure.empty()) return result;
    nlohmann::json report;
    try {
      std::ifstream in(report_file);
      report = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
      result.failure = fmt::format("the dirtier left no readable report {}: {}", report_file.string(), e.what());
      return result;
    }
    // The dirtier is our own child, but its report is still a file read back:
    // a member missing or of another type is a failure naming it, not a
    // JSON type_error ending the harness.
    for (const char* key : {"bytes", "pages", "passes", "elapsed_s", "rate_bytes_per_s", "behind_schedule_s"})
      if (!report.is_object() || !report.contains(key) || !report[key].is_number()) {
        result.failure =
            fmt::format("the dirtier's report {}: \"{}\" is missing or not a number", report_file.string(), key);
        return result;
      }
    if (!report.contains("stopped") || !report["stopped"].is_boolean() || !report.contains("failures") ||
        !report["failures"].is_array() || (!report["failures"].empty() && !report["failures"][0].is_string())) {
      result.failure = fmt::format(
          "the dirtier's report {}: \"stopped\" must be true or false and \"failures\" "
          "a list of strings",
          report_file.string());
      return result;
    }
    result.details["dirtier"] = report;
    constexpr double mib = 1024.0 * 1024.0;
    result.metrics["dirtied-mib"] = report["bytes"].get<double>() / mib;
    result.metrics["pages-dirtied"] = report["pages"].get<std::int64_t>();
    result.metrics["dirty-passes"] = report["passes"].get<double>();
    result.metrics["dirty-elapsed-s"] = report["elapsed_s"].get<double>();
    result.metrics["dirty-rate-mib-per-s"] = report["rate_bytes_per_s"].get<double>() / mib;
    result.metrics["target-rate-mib-per-s"] = static_cast<double>(params_.integer("rate")) / mib;
    result.metrics["behind-schedule-s"] = report["behind_schedule_s"].get<double>();
    // With a page budget (ops), a run stopped by the time bound did less.
    if (ops > 0) {
      double done = report["pages"].get<double>();
      result.metrics["completed-work-pct"] = std::min(100.0, 100.0 * done / static_cast<double>(ops));
      result.details["hit_time_bound"] = done < static_cast<double>(ops);
    }
    // Stopped by SIGTERM/SIGINT (the deadline, an interrupted run): what it
    // did is recorded, but it is not a complete run.
    if (report["stopped"].get<bool>()) {
      result.failure = fmt::format("the dirtier was stopped after {:.1f} s", report["elapsed_s"].get<double>());
      return result;
    }
    if (!report["failures"].empty()) {
      result.failure = fmt::format("the dirtier failed: {}", report["failures"][0].get<std::string>());
      return result;
    }
    if (result.totals.exit_status != 0) {
      result.failure = fmt::format("the dirtier exited with status {}", result.totals.exit_status);
      return result;
    }
    if (report["pages"].get<std::int64_t>() == 0) {
      result.did_no_work(fmt::format("the dirtier dirtied no page in {:.1f} s", report["elapsed_s"].get<double>()));
      return result;
    }
    result.succeeded = true;
    return result;
  }

  WorkloadResult run_stress_ng(const WorkloadContext& context) {
    const std::int64_t workers = params_.integer("workers");
    // stress-ng 0.15 divides --vm-bytes among the vm workers (its manual still
    // says "per vm worker"; measured: --vm 2 --vm-bytes 200M peaks at ~206 MiB in
    // the cgroup), so the total is passed as is.
    const std::int64_t total_bytes = params_.integer("vm-bytes");
    const auto yaml_file = context.output_dir / "stress-ng.yaml";
    std::vector<std::string> argv = {
        "stress-ng",
        "--vm",
        std::to_string(workers),
        "--vm-bytes",
        std::to_string(total_bytes),
        "--vm-method",
        params_.text("vm-method"),
        "--metrics",
        "--yaml",
        yaml_file.string(),
    };
    if (params_.flag("vm-keep")) argv.push_back("--vm-keep");
    if (auto ops = params_.integer("ops"); ops > 0) {
      argv.push_back("--vm-ops");
      argv.push_back(std::to_string(ops));
    }
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(params_.duration("duration")).count();
    argv.push_back("--timeout");
    argv.push_back(fmt::format("{}s", std::max<std::int64_t>(seconds, 1)));

    WorkloadResult result;
    RunCounters counters(context.system, context.cgroup);
    result.totals = context.spawn(argv, "stress-ng");
    record_swap_counters(counters, result);
    result.details["command"] = argv;
    const auto& outcome = result.totals;
    if (result.failure = abnormal_end(outcome); !result.failure.empty()) return result;
    result.metrics["stress-ng-exit-status"] = outcome.exit_status;
    result.details["stress-ng-exit-meaning"] = stress_ng::exit_status_meaning(outcome.exit_status);
    try {
      auto yaml = stress_ng::read_yaml_metrics(yaml_file);
      result.details["stress-ng-metrics"] = yaml;
      if (yaml.contains("vm")) {
        const auto& vm = yaml["vm"];
        for (const char* key : {"bogo-ops", "bogo-ops-per-second-real-time", "bogo-ops-per-second-usr-sys-time",
                                "wall-clock-time", "user-time", "system-time", "max-rss"})
          if (vm.contains(key)) result.metrics[std::string("vm-") + key] = vm[key];
      }
    } catch (const std::exception& e) {
      result.failure = e.what();
      return result;
    }
    // With fixed work (ops), a run stopped by the time bound (or by OOM kills
    // of its workers) did less than planned: its elapsed time and rates are not
    // comparable with complete ones, so say how much of the work it did.
    if (auto ops = params_.integer("ops"); ops > 0 && result.metrics.contains("vm-bogo-ops")) {
      double done = result.metrics["vm-bogo-ops"].get<double>();
      result.metrics["completed-work-pct"] = std::min(100.0, 100.0 * done / static_cast<double>(ops));
      result.details["hit_time_bound"] = done < static_cast<double>(ops);
    }
    if (outcome.exit_status != 0) {
      result.failure = fmt::format("stress-ng exited with status {}: {}", outcome.exit_status,
                                   stress_ng::exit_status_meaning(outcome.exit_status));
      return result;
    }
    // stress-ng counts vm bogo-ops in large units of work (measured: none in
    // 50 s for 384 MiB in a 256 MiB memcg with swap on a loaded machine, with
    // hundreds of MiB dirtied), so no bogo-op is not no work. vm workers that
    // used no CPU time at all dirtied nothing, and their rates describe no load.
    const bool worker_times = result.metrics.contains("vm-user-time") && result.metrics.contains("vm-system-time");
    const double cpu_s =
        worker_times ? result.metrics["vm-user-time"].get<double>() + result.metrics["vm-system-time"].get<double>()
                     : outcome.user_s + outcome.sys_s;
    if (result.metrics.value("vm-bogo-ops", 0.0) <= 0 && cpu_s <= 0) {
      result.did_no_work(
          fmt::format("stress-ng's vm workers used no CPU time in {:.1f} s (see stress-ng.log)", outcome.elapsed_s));
      return result;
    }
    result.succeeded = true;
    return result;
  }

  ResolvedParams params_;
};

WorkloadSpec anon_dirty_spec() {
  WorkloadSpec spec;
  spec.name = "anon-dirty";
  spec.description =
      "stress-ng vm workers (or, with a rate, our paced dirtier) dirtying anonymous memory sized relative to the limit";
  spec.required_programs = {"stress-ng"};
  spec.params = {
      count_param("workers", "2", "number of stress-ng vm workers (or dirtier threads)", 1, 1024),
      size_param("vm-bytes", "150%", "anonymous memory mapped and dirtied by all workers together"),
      // lfsr32 by default: pseudo-random data, so pages really go to swap; kernels
      // from 6.12 keep same-filled pages (write64's patterns, zeros) out of swap I/O.
      choice_param("vm-method", "lfsr32", "stress-ng --vm-method: how pages are dirtied (without a rate)",
                   {"all",      "cache-lines", "cache-stripe", "checkerboard", "flip",         "fwdrev",   "galpat-0",
                    "galpat-1", "gray",        "grayflip",     "incdec",       "inc-nybble",   "lfsr32",   "rand-set",
                    "rand-sum", "read64",      "ror",          "swap",         "move-inv",     "modulo-x", "mscan",
                    "prime-0",  "prime-1",     "prime-gray-0", "prime-gray-1", "prime-incdec", "walk-0d",  "walk-1d",
                    "walk-0a",  "walk-1a",     "write64",      "write64nt",    "write1024v",   "zero-one"}),
      bool_param("vm-keep", true,
                 "keep the mapping between passes (stress-ng --vm-keep) instead of remapping (without a rate)"),
      count_param("ops", "0",
                  "fixed work: stress-ng bogo ops in total, or with a rate pages dirtied in total; 0: run for "
                  "`duration`",
                  0, std::numeric_limits<std::int64_t>::max()),
      duration_param("duration", "60s", "upper bound of the run (stress-ng --timeout)"),
      // Pseudo-random data page by page at this rate in total (a token bucket
      // per worker); the mapping is kept and re-dirtied in a loop.
      rate_param("rate", "0",
                 "dirty at this rate over all workers with our paced dirtier instead of stress-ng; 0: stress-ng, "
                 "unpaced"),
  };
  spec.metrics = {
      // Swap traffic while the dirtiers ran: "vmstat-pswpin", "memcg-pswpout" (run_counters.h).
      {.pattern = "{scope}-pswpin"},
      {.pattern = "{scope}-pswpout"},
      // The paced dirtier's report.
      {.pattern = "dirtied-mib", .better = Better::higher},
      {.pattern = "pages-dirtied", .better = Better::higher},
      {.pattern = "dirty-passes", .better = Better::higher},
      {.pattern = "dirty-elapsed-s"},
      {.pattern = "dirty-rate-mib-per-s", .unit = "MiB/s", .better = Better::higher, .harmonic_mean = true},
      {.pattern = "target-rate-mib-per-s", .unit = "MiB/s", .better = Better::higher, .harmonic_mean = true},
      {.pattern = "behind-schedule-s"},
      {.pattern = "completed-work-pct", .unit = "%", .better = Better::higher},
      // stress-ng's: its exit status (a status, not compared) and its vm stressor's YAML figures.
      {.pattern = "stress-ng-exit-status"},
      {.pattern = "vm-bogo-ops", .better = Better::higher},
      {.pattern = "vm-bogo-ops-per-second-{time}", .unit = "ops/s", .better = Better::higher, .harmonic_mean = true},
      {.pattern = "vm-wall-clock-time"},
      {.pattern = "vm-user-time"},
      {.pattern = "vm-system-time"},
      {.pattern = "vm-max-rss"},
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<AnonDirty>(params); };
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(anon_dirty_spec());

}  // namespace
}  // namespace memharness::workloads
