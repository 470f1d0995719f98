// anon-dirty: stress-ng vm workers dirtying anonymous memory beyond the cgroup
// limit, so that memcg reclaim (and swap, when there is any) has to keep up.
#include <algorithm>
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
    const std::int64_t workers = params_.integer("workers");
    // stress-ng 0.15 divides --vm-bytes among the vm workers (its manual still
    // says "per vm worker"; measured: --vm 2 --vm-bytes 200M peaks at ~206 MiB in
    // the cgroup), so the total is passed as is.
    const std::int64_t total_bytes = params_.integer("vm-bytes");
    const auto yaml_file = context.output_dir / "stress-ng.yaml";
    std::vector<std::string> argv = {
        "stress-ng",
        "--vm", std::to_string(workers),
        "--vm-bytes", std::to_string(total_bytes),
        "--vm-method", params_.text("vm-method"),
        "--metrics", "--yaml", yaml_file.string(),
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
    RunCounters counters(context.system, context.cgroup_procs_file.parent_path());
    result.totals = context.spawn(argv, "stress-ng");
    // Pages swapped out and in while the dirtiers ran: system-wide (vmstat) and,
    // where the kernel counts them per cgroup (v2 memory.stat), the test cgroup's.
    for (const auto& [key, value] : counters.delta())
      if (key.ends_with("pswpin") || key.ends_with("pswpout")) result.metrics[counter_metric_name(key)] = value;
    result.details["command"] = argv;
    const auto& outcome = result.totals;
    if (!outcome.started) {
      result.failure = outcome.failure;
      return result;
    }
    if (outcome.term_signal != 0) {
      result.failure = outcome.failure_sentence();
      return result;
    }
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
    result.succeeded = true;
    return result;
  }

 private:
  ResolvedParams params_;
};

WorkloadSpec anon_dirty_spec() {
  WorkloadSpec spec;
  spec.name = "anon-dirty";
  spec.description = "stress-ng vm workers dirtying anonymous memory (sized relative to the cgroup limit)";
  spec.required_programs = {"stress-ng"};
  spec.params = {
      count_param("workers", "2", "number of stress-ng vm workers", 1, 1024),
      size_param("vm-bytes", "150%", "anonymous memory mapped and dirtied by all workers together"),
      // lfsr32 by default: pseudo-random data, so pages really go to swap; kernels
      // from 6.12 keep same-filled pages (write64's patterns, zeros) out of swap I/O.
      choice_param("vm-method", "lfsr32", "stress-ng --vm-method: how pages are dirtied",
                   {"all", "cache-lines", "cache-stripe", "checkerboard", "flip", "fwdrev", "galpat-0",
                    "galpat-1", "gray", "grayflip", "incdec", "inc-nybble", "lfsr32", "rand-set", "rand-sum",
                    "read64", "ror", "swap", "move-inv", "modulo-x", "mscan", "prime-0", "prime-1",
                    "prime-gray-0", "prime-gray-1", "prime-incdec", "walk-0d", "walk-1d", "walk-0a",
                    "walk-1a", "write64", "write64nt", "write1024v", "zero-one"}),
      bool_param("vm-keep", true, "keep the mapping between passes (stress-ng --vm-keep) instead of remapping"),
      count_param("ops", "0", "stop after this many bogo operations in total (fixed work); 0: run for `duration`",
                  0, std::numeric_limits<std::int64_t>::max()),
      duration_param("duration", "60s", "upper bound of the run (stress-ng --timeout)"),
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<AnonDirty>(params); };
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(anon_dirty_spec());

}  // namespace
}  // namespace memharness::workloads
