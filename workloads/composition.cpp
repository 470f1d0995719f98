#include "workloads/composition.h"

#include <stdexcept>

#include "harness/common/units.h"

namespace memharness::workloads {

const WorkloadSpec& registered_spec(const std::string& type) {
  const auto* spec = WorkloadRegistry::instance().find(type);
  if (!spec) throw std::logic_error("a mix names an unregistered workload: " + type);
  return *spec;
}

namespace {

ResolvedParams::Value default_of(const WorkloadSpec& spec, const ParamSpec& param) {
  const std::string& text = param.default_value;
  auto invalid = [&] {
    return std::logic_error("workload \"" + spec.name + "\": default \"" + text + "\" of \"" + param.name +
                            "\" cannot be used in a mix; override it");
  };
  switch (param.type) {
    case ParamType::count: return std::int64_t{std::stoll(text)};
    case ParamType::boolean: return text == "true";
    case ParamType::text:
    case ParamType::choice: return text;
    case ParamType::duration:
      if (auto d = parse_duration(text)) return *d;
      throw invalid();
    case ParamType::rate:
      if (auto rate = parse_rate(text)) return *rate;
      throw invalid();
    case ParamType::size:
      if (auto bytes = parse_size_bytes(text)) return *bytes;
      throw invalid();  // relative: only the config compiler knows the bases
  }
  throw invalid();
}

}  // namespace

ResolvedParams component_params(const std::string& type,
                                const std::map<std::string, ResolvedParams::Value>& overrides) {
  const auto& spec = registered_spec(type);
  ResolvedParams params;
  for (const auto& [name, value] : overrides) {
    if (!spec.find_param(name)) throw std::logic_error("workload \"" + type + "\" has no parameter \"" + name + "\"");
    params.set(name, value);
  }
  for (const auto& param : spec.params)
    if (!params.has(param.name)) params.set(param.name, default_of(spec, param));
  return params;
}

WorkloadContext component_context(const WorkloadContext& mix, const std::string& component, std::stop_token stop) {
  WorkloadContext context = mix;
  context.instance_name = mix.instance_name + "-" + component;
  context.output_dir = mix.output_dir / component;
  std::filesystem::create_directories(context.output_dir);
  context.stop = std::move(stop);
  return context;
}

}  // namespace memharness::workloads
