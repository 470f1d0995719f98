#pragma once
// The one registry of probes: what the harness records in every iteration
// besides the workloads' own figures. A probe registers itself from its own
// .cpp, as a workload does (workloads/registry.h):
//
//   MEMHARNESS_REGISTER_PROBE(zoneinfo_probe());
//
// The start/end snapshots take every probe's snapshot files, the time-series
// sampler every probe's columns, in the probes' order; `memharness list` prints
// the registry. How to add one: docs/how-to-add-a-probe.md.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/common/counters.h"

namespace memharness::system {
class SystemRoot;
class MemoryCgroup;
}  // namespace memharness::system

namespace memharness::probes {

struct ProbeSpec {
  std::string name;         // "vmstat", "zoneinfo"
  std::string description;  // one line: what it observes
  std::string records;      // where it goes in the run directory: "snapshots/{start,end}/proc/vmstat, ..."
  // The compare metrics it feeds ("vmstat.*"); empty: recorded for people
  // and plots, not compared.
  std::vector<std::string> metrics;
  // Why the probe records nothing on this machine ("no /proc/pressure/memory:
  // the kernel has PSI off"); empty when it can. Nothing fails for a probe
  // that cannot record: its files are missing and its cells empty (n/a).
  std::function<std::string(const system::SystemRoot& system)> unavailable_reason;
  // Files kept as they are at the start and end of every iteration
  // (snapshots/{start,end}/<path>): system files by absolute path, and the
  // test cgroup's by name in its directory (snapshots/.../cgroup/<name>).
  std::vector<std::string> snapshot_files;
  std::vector<std::string> cgroup_snapshot_files;
  // Time-series columns (timeseries.csv) and the cells of one sample, as many
  // as columns, empty where the state cannot be read (n/a, not 0). The cgroup
  // is null when there is none. A sample that throws stops the run (the
  // sampler keeps the error for the iteration's record).
  std::vector<std::string> timeseries_columns;
  std::function<std::vector<std::string>(const system::SystemRoot& system, const system::MemoryCgroup* cgroup)> sample;
  // Extra lines `memharness list` prints under the probe (the tracepoints it
  // enables ...); may be empty.
  std::function<std::vector<std::string>()> list_details;
  // Place among the probes (then by name): the order of the time-series
  // columns and of `list`. Existing columns keep their places: a new probe
  // takes a larger number than every probe before it.
  int order = 0;
};

class ProbeRegistry {
 public:
  static ProbeRegistry& instance();
  void add(ProbeSpec spec);
  const ProbeSpec* find(const std::string& name) const;
  // By order, then by name.
  std::vector<const ProbeSpec*> all() const;

 private:
  std::vector<ProbeSpec> specs_;
};

struct ProbeRegistration {
  explicit ProbeRegistration(ProbeSpec spec) { ProbeRegistry::instance().add(std::move(spec)); }
};

// A missing file as the reason a probe cannot record, or empty: the common
// availability check of a probe that reads one file.
std::string missing_file_reason(const system::SystemRoot& system, const std::string& absolute_path,
                                const std::string& why_missing);

// The cell of a counter: its value, or empty when the kernel did not give it.
std::string counter_cell(const CounterMap& counters, const std::string& key);

#define MEMHARNESS_PROBE_CONCAT_INNER(a, b) a##b
#define MEMHARNESS_PROBE_CONCAT(a, b) MEMHARNESS_PROBE_CONCAT_INNER(a, b)
#define MEMHARNESS_REGISTER_PROBE(spec_expression)                                                             \
  static const ::memharness::probes::ProbeRegistration MEMHARNESS_PROBE_CONCAT(memharness_probe_registration_, \
                                                                               __LINE__) {                     \
    spec_expression                                                                                            \
  }

}  // namespace memharness::probes
