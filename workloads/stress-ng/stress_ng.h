#pragma once
// What all stress-ng based workloads share: the meaning of its exit status and
// the parsing of its --yaml metrics.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace memharness::workloads::stress_ng {

// The sentence stress-ng's manual gives each exit status (0-7).
std::string exit_status_meaning(int status);

// Statuses after which the bogo-ops figures can still be used.
bool metrics_trustworthy(int status);

// Parses the "metrics:" list of a `stress-ng --yaml` file into
// {"<stressor>": {"bogo-ops": ..., "bogo-ops-per-second-real-time": ..., ...}}.
// Throws memharness::Error(run_failed) naming the file when it is missing or not
// stress-ng YAML.
nlohmann::json parse_yaml_metrics(std::string_view yaml_text, const std::string& source_name);
nlohmann::json read_yaml_metrics(const std::filesystem::path& yaml_file);

}  // namespace memharness::workloads::stress_ng
