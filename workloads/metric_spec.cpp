#include "workloads/metric_spec.h"

namespace memharness::workloads {

bool matches_metric_pattern(std::string_view pattern, std::string_view name) {
  auto open = pattern.find('{');
  if (open == std::string_view::npos) return pattern == name;
  if (name.substr(0, open) != pattern.substr(0, open)) return false;
  auto close = pattern.find('}', open);
  if (close == std::string_view::npos) return false;  // a malformed pattern matches nothing
  auto rest = pattern.substr(close + 1);
  // The placeholder takes one or more characters; try each length, shortest first.
  for (std::size_t taken = 1; open + taken <= name.size(); ++taken)
    if (matches_metric_pattern(rest, name.substr(open + taken))) return true;
  return false;
}

const MetricSpec* find_metric_spec(const std::vector<MetricSpec>& specs, const std::string& name) {
  for (const auto& spec : specs)
    if (matches_metric_pattern(spec.pattern, name)) return &spec;
  return nullptr;
}

std::vector<MetricSpec> prefixed_metric_specs(std::vector<MetricSpec> specs, const std::string& prefix) {
  for (auto& spec : specs) spec.pattern = prefix + spec.pattern;
  return specs;
}

}  // namespace memharness::workloads
