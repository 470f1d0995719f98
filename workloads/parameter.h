#pragma once
// Typed workload parameters: what a workload declares (ParamSpec) and what the
// validated plan hands it (ResolvedParams). The config layer turns TOML values
// into ResolvedParams by checking them against the specs; workloads never see TOML.
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace memharness::workloads {

enum class ParamType {
  size,      // bytes: "512M", "2G", an integer, "150%" of the cgroup memory limit,
             // "1.5x" of MemTotal (when relative sizes are allowed)
  count,     // an integer in [min, max]
  duration,  // "500ms", "10s", "5m", "1h"
  rate,      // bytes per second: "64MiB/s", "1.5G/s"; "0" (off) as the default
  text,      // free string
  choice,    // one of `choices`
  boolean,
};

struct ParamSpec {
  std::string name;  // the TOML key, e.g. "vm-bytes"
  ParamType type = ParamType::text;
  std::string default_value;                                    // as it would be written in TOML; empty: required
  std::string description;                                      // one line, shown by `memharness list`
  std::vector<std::string> choices;                             // choice only
  std::int64_t min = 0;                                         // count only
  std::int64_t max = std::numeric_limits<std::int64_t>::max();  // count only
  bool relative_allowed = true;                                 // size only

  bool required() const { return default_value.empty(); }
};

// Builders for the common cases, so workload specs read as a table.
ParamSpec size_param(std::string name, std::string default_value, std::string description,
                     bool relative_allowed = true);
ParamSpec count_param(std::string name, std::string default_value, std::string description, std::int64_t min,
                      std::int64_t max);
ParamSpec duration_param(std::string name, std::string default_value, std::string description);
ParamSpec rate_param(std::string name, std::string default_value, std::string description);
ParamSpec text_param(std::string name, std::string default_value, std::string description);
ParamSpec choice_param(std::string name, std::string default_value, std::string description,
                       std::vector<std::string> choices);
ParamSpec bool_param(std::string name, bool default_value, std::string description);

// Parameter values after validation and resolution of relative sizes.
class ResolvedParams {
 public:
  using Value = std::variant<std::int64_t, std::chrono::nanoseconds, std::string, bool>;

  void set(std::string name, Value value) { values_[std::move(name)] = std::move(value); }

  // Bytes for size parameters, bytes per second for rates, the integer for counts.
  std::int64_t integer(const std::string& name) const;
  std::chrono::nanoseconds duration(const std::string& name) const;
  const std::string& text(const std::string& name) const;  // text and choice
  bool flag(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, Value>& all() const { return values_; }

 private:
  const Value& get(const std::string& name) const;
  std::map<std::string, Value> values_;
};

}  // namespace memharness::workloads
