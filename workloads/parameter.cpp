#include "workloads/parameter.h"

#include "harness/common/error.h"

namespace memharness::workloads {

const ResolvedParams::Value& ResolvedParams::get(const std::string& name) const {
  auto it = values_.find(name);
  // A missing value is a bug in the plan compiler, not a user error.
  if (it == values_.end()) throw std::logic_error("workload parameter not resolved: " + name);
  return it->second;
}

std::int64_t ResolvedParams::integer(const std::string& name) const {
  return std::get<std::int64_t>(get(name));
}
std::chrono::nanoseconds ResolvedParams::duration(const std::string& name) const {
  return std::get<std::chrono::nanoseconds>(get(name));
}
const std::string& ResolvedParams::text(const std::string& name) const {
  return std::get<std::string>(get(name));
}
bool ResolvedParams::flag(const std::string& name) const { return std::get<bool>(get(name)); }

}  // namespace memharness::workloads
