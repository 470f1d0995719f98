#include "workloads/stress-ng/stress_ng.h"

#include <yaml-cpp/yaml.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"

namespace memharness::workloads::stress_ng {

std::string exit_status_meaning(int status) {
  // From stress-ng(1), "EXIT STATUS".
  switch (status) {
    case 0: return "success";
    case 1: return "error: incorrect user options or a fatal resource issue in the stress-ng harness";
    case 2: return "one or more stressors failed";
    case 3: return "one or more stressors failed to initialise because of lack of resources";
    case 4: return "one or more stressors are not implemented on this system";
    case 5: return "a stressor was killed by an unexpected signal";
    case 6: return "a stressor exited unexpectedly and its timing metrics could not be gathered";
    case 7: return "the bogo-ops metrics may be untrustworthy (e.g. a stressor was OOM killed)";
    default: return "unknown stress-ng exit status " + std::to_string(status);
  }
}

bool metrics_trustworthy(int status) { return status == 0; }

nlohmann::json parse_yaml_metrics(std::string_view yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw run_error("{}:{}:{}: not valid stress-ng YAML: {}", source_name, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  const YAML::Node metrics = root["metrics"];
  if (!metrics || !metrics.IsSequence())
    throw run_error("{}: no \"metrics:\" list (was stress-ng run with --metrics --yaml?)", source_name);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& entry : metrics) {
    if (!entry.IsMap() || !entry["stressor"]) continue;
    auto stressor = entry["stressor"].as<std::string>();
    nlohmann::json values = nlohmann::json::object();
    for (const auto& kv : entry) {
      auto key = kv.first.as<std::string>();
      if (key == "stressor") continue;
      try {
        values[key] = kv.second.as<double>();
      } catch (const YAML::Exception&) {
        values[key] = kv.second.as<std::string>();  // keep non-numeric fields as text
      }
    }
    out[stressor] = std::move(values);
  }
  return out;
}

nlohmann::json read_yaml_metrics(const std::filesystem::path& yaml_file) {
  auto text = read_file_if_opened(yaml_file);
  if (!text) throw run_error("{}: stress-ng wrote no YAML output", yaml_file.string());
  return parse_yaml_metrics(*text, yaml_file.string());
}

}  // namespace memharness::workloads::stress_ng
