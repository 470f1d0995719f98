#include "harness/analysis/metric_names.h"

namespace memharness::analysis {

namespace {

// A rate: stress-ng's "...-per-second-..." and the workloads' "...-per-s"
// (dd-writeback's threads-N-mb-per-s, anon-dirty's dirty-rate-mib-per-s).
// Higher is better, and their means are harmonic.
bool is_rate_metric(const std::string& name) {
  return name.find("per-second") != std::string::npos || name.ends_with("-per-s");
}

std::string rate_unit(const std::string& name) {
  if (name.find("mib-per-s") != std::string::npos) return "MiB/s";
  if (name.find("mb-per-s") != std::string::npos) return "MB/s";
  return "ops/s";
}

// Rates and the amount of work done in a fixed time are higher-is-better;
// times, latencies, counts of trouble lower-is-better.
bool higher_is_better(const std::string& name) {
  if (is_rate_metric(name)) return true;
  for (const char* good :
       {"bogo-ops", "success", "throughput", "survived", "completed", "written", "dirtied", "passes"})
    if (name.find(good) != std::string::npos) return true;
  return false;
}

}  // namespace

results::MetricDeclaration declaration_from_name(const std::string& name) {
  const bool rate = is_rate_metric(name);
  return {
      // "%" for percentages ("pass1-success-pct"), so the tables print "57.80%";
      // other names say their unit themselves ("pass1-latency-p50-ms").
      .unit = rate                     ? rate_unit(name)
              : name.ends_with("-pct") ? "%"
                                       : "",
      .higher_is_better = higher_is_better(name),
      // highalloc's huge-page success percentages: what that test is for.
      .gates = name.ends_with("-success-pct"),
      .harmonic_mean = rate,
  };
}

}  // namespace memharness::analysis
