#pragma once
// The one registry of workloads. A workload registers itself from its own .cpp:
//
//   MEMHARNESS_REGISTER_WORKLOAD(anon_dirty_spec());
//
// `memharness list` and the config compiler read the specs from here.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workloads/metric_spec.h"
#include "workloads/parameter.h"
#include "workloads/workload.h"

namespace memharness::system {
class SystemRoot;
}

namespace memharness::workloads {

struct WorkloadSpec {
  std::string name;         // the `type` in a config's [[phase.workload]]
  std::string description;  // one line
  std::vector<ParamSpec> params;
  // Every metric the workload records, each name matched by one pattern
  // (metric_spec.h); the first match wins.
  std::vector<MetricSpec> metrics;
  // A mix passes its components' metrics on under a prefix: `prefix` (a
  // pattern, "kernbench-{instance}-") before any metric `type` declares.
  struct ComponentMetrics {
    std::string prefix;
    std::string type;
  };
  std::vector<ComponentMetrics> component_metrics;
  // Programs the workload needs on PATH (checked before a run, exit 3 if missing).
  std::vector<std::string> required_programs;
  std::function<std::unique_ptr<Workload>(const ResolvedParams&)> create;
  // Optional: checks the machine can run this instance (free space, files ...)
  // before anything is created, reading the machine through `system`; throws
  // memharness::Error(environment).
  std::function<void(const system::SystemRoot& system, const std::string& instance_name, const ResolvedParams&)>
      check_environment;

  const ParamSpec* find_param(const std::string& key) const;
};

// The declaration of the metric `name` of `spec`: its own first, then its
// components' (from the registry) under their prefixes; nullopt when none
// matches.
std::optional<MetricSpec> declared_metric(const WorkloadSpec& spec, const std::string& name);

class WorkloadRegistry {
 public:
  static WorkloadRegistry& instance();
  void add(WorkloadSpec spec);
  const WorkloadSpec* find(const std::string& name) const;
  // Sorted by name.
  std::vector<const WorkloadSpec*> all() const;

 private:
  std::vector<WorkloadSpec> specs_;
};

struct WorkloadRegistration {
  explicit WorkloadRegistration(WorkloadSpec spec) { WorkloadRegistry::instance().add(std::move(spec)); }
};

#define MEMHARNESS_CONCAT_INNER(a, b) a##b
#define MEMHARNESS_CONCAT(a, b) MEMHARNESS_CONCAT_INNER(a, b)
#define MEMHARNESS_REGISTER_WORKLOAD(spec_expression)                                                             \
  static const ::memharness::workloads::WorkloadRegistration MEMHARNESS_CONCAT(memharness_workload_registration_, \
                                                                               __LINE__) {                        \
    spec_expression                                                                                               \
  }

}  // namespace memharness::workloads
