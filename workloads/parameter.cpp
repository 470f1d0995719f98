#include "workloads/parameter.h"

#include "harness/common/error.h"

namespace memharness::workloads {

namespace {
ParamSpec param(std::string name, ParamType type, std::string default_value, std::string description) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.description = std::move(description);
  return spec;
}
}  // namespace

ParamSpec size_param(std::string name, std::string default_value, std::string description, bool relative_allowed) {
  auto spec = param(std::move(name), ParamType::size, std::move(default_value), std::move(description));
  spec.relative_allowed = relative_allowed;
  return spec;
}

ParamSpec count_param(std::string name, std::string default_value, std::string description, std::int64_t min,
                      std::int64_t max) {
  auto spec = param(std::move(name), ParamType::count, std::move(default_value), std::move(description));
  spec.min = min;
  spec.max = max;
  return spec;
}

ParamSpec duration_param(std::string name, std::string default_value, std::string description) {
  return param(std::move(name), ParamType::duration, std::move(default_value), std::move(description));
}

ParamSpec rate_param(std::string name, std::string default_value, std::string description) {
  return param(std::move(name), ParamType::rate, std::move(default_value), std::move(description));
}

ParamSpec text_param(std::string name, std::string default_value, std::string description) {
  return param(std::move(name), ParamType::text, std::move(default_value), std::move(description));
}

ParamSpec choice_param(std::string name, std::string default_value, std::string description,
                       std::vector<std::string> choices) {
  auto spec = param(std::move(name), ParamType::choice, std::move(default_value), std::move(description));
  spec.choices = std::move(choices);
  return spec;
}

ParamSpec bool_param(std::string name, bool default_value, std::string description) {
  return param(std::move(name), ParamType::boolean, default_value ? "true" : "false", std::move(description));
}

const ResolvedParams::Value& ResolvedParams::get(const std::string& name) const {
  auto it = values_.find(name);
  // A missing value is a bug in the plan compiler, not a user error.
  if (it == values_.end()) throw std::logic_error("workload parameter not resolved: " + name);
  return it->second;
}

std::int64_t ResolvedParams::integer(const std::string& name) const { return std::get<std::int64_t>(get(name)); }
std::chrono::nanoseconds ResolvedParams::duration(const std::string& name) const {
  return std::get<std::chrono::nanoseconds>(get(name));
}
const std::string& ResolvedParams::text(const std::string& name) const { return std::get<std::string>(get(name)); }
bool ResolvedParams::flag(const std::string& name) const { return std::get<bool>(get(name)); }

}  // namespace memharness::workloads
