#include "probes/registry.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "harness/system/system_root.h"

namespace memharness::probes {

ProbeRegistry& ProbeRegistry::instance() {
  static ProbeRegistry registry;
  return registry;
}

void ProbeRegistry::add(ProbeSpec spec) {
  if (find(spec.name)) throw std::logic_error("probe registered twice: " + spec.name);
  if (spec.timeseries_columns.empty() != !spec.sample)
    throw std::logic_error("probe " + spec.name + ": time-series columns and a sample function go together");
  specs_.push_back(std::move(spec));
}

const ProbeSpec* ProbeRegistry::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<const ProbeSpec*> ProbeRegistry::all() const {
  std::vector<const ProbeSpec*> out;
  for (const auto& s : specs_) out.push_back(&s);
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return std::tie(a->order, a->name) < std::tie(b->order, b->name); });
  return out;
}

std::string missing_file_reason(const system::SystemRoot& system, const std::string& absolute_path,
                                const std::string& why_missing) {
  if (system.exists(absolute_path)) return {};
  return "no " + absolute_path + (why_missing.empty() ? "" : ": " + why_missing);
}

std::string counter_cell(const CounterMap& counters, const std::string& key) {
  auto it = counters.find(key);
  return it == counters.end() ? std::string() : std::to_string(it->second);
}

}  // namespace memharness::probes
