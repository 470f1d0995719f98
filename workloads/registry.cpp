#include "workloads/registry.h"

#include <algorithm>
#include <stdexcept>

namespace memharness::workloads {

const ParamSpec* WorkloadSpec::find_param(const std::string& key) const {
  for (const auto& p : params)
    if (p.name == key) return &p;
  return nullptr;
}

std::optional<MetricSpec> declared_metric(const WorkloadSpec& spec, const std::string& name) {
  if (const auto* own = find_metric_spec(spec.metrics, name)) return *own;
  for (const auto& component : spec.component_metrics) {
    const auto* component_spec = WorkloadRegistry::instance().find(component.type);
    if (!component_spec)
      throw std::logic_error(spec.name + " passes on metrics of an unknown workload: " + component.type);
    auto prefixed = prefixed_metric_specs(component_spec->metrics, component.prefix);
    if (const auto* passed_on = find_metric_spec(prefixed, name)) return *passed_on;
  }
  return std::nullopt;
}

WorkloadRegistry& WorkloadRegistry::instance() {
  static WorkloadRegistry registry;
  return registry;
}

void WorkloadRegistry::add(WorkloadSpec spec) {
  if (find(spec.name)) throw std::logic_error("workload registered twice: " + spec.name);
  specs_.push_back(std::move(spec));
}

const WorkloadSpec* WorkloadRegistry::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<const WorkloadSpec*> WorkloadRegistry::all() const {
  std::vector<const WorkloadSpec*> out;
  for (const auto& s : specs_) out.push_back(&s);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

}  // namespace memharness::workloads
