#include "harness/config/plan_compiler.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/units.h"
#include "harness/config/diagnostics.h"

namespace memharness::config {
namespace {

using namespace std::chrono_literals;
using workloads::ParamSpec;
using workloads::ParamType;
using workloads::WorkloadSpec;

constexpr std::int64_t max_iterations = 10'000;
// Sampling faster than this costs more than it tells, and the samplers' own
// overhead would start to show in the results.
constexpr std::chrono::nanoseconds min_sample_interval = 100ms;
constexpr std::chrono::nanoseconds default_sample_interval = 1s;
constexpr std::chrono::nanoseconds default_timeout = 1h;
constexpr std::chrono::nanoseconds max_duration = 24h * 365;
constexpr std::string_view default_swapfile_directory = "/var/tmp";
constexpr std::string_view name_pattern = "[a-z0-9][a-z0-9._-]*";

// Test, phase and instance names end up in directory names and JSON keys.
bool is_valid_name(std::string_view name) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (name.empty() || !lower_or_digit(name.front())) return false;
  for (char c : name)
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

// "vm.swappiness", "kernel.numa_balancing": two or more [a-z0-9_]+ parts.
bool is_valid_sysctl_name(std::string_view name) {
  int parts = 0;
  std::size_t part_length = 0;
  for (char c : name) {
    if (c == '.') {
      if (part_length == 0) return false;
      ++parts;
      part_length = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      ++part_length;
    } else {
      return false;
    }
  }
  return part_length > 0 && parts >= 1;
}

std::string integer_expectation(std::int64_t min, std::int64_t max) {
  constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
  constexpr auto highest = std::numeric_limits<std::int64_t>::max();
  if (min == lowest && max == highest) return "an integer";
  if (max == highest) return fmt::format("an integer of at least {}", min);
  if (min == lowest) return fmt::format("an integer of at most {}", max);
  return fmt::format("an integer from {} to {}", min, max);
}

std::string choice_expectation(const std::vector<std::string>& choices) {
  std::string list;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) list += i + 1 == choices.size() ? " or " : ", ";
    list += in_quotes(choices[i]);
  }
  return choices.size() == 1 ? list : "one of " + list;
}

// What a size key accepts besides plain absolute sizes.
struct SizeRules {
  bool percent;      // "150%" of [cgroup] memory-max
  bool times;        // "1.5x" of MemTotal
  bool zero;         // 0 is a valid value
  bool max_keyword;  // "max": no limit (nullopt)
  // Why "%" is refused when it is; unused when relative sizes are refused altogether.
  std::string_view no_percent_reason;
};

//                                  percent times  zero   "max"
constexpr SizeRules memory_max_rules{false, true, false, true, R"("%" sizes are relative to memory-max itself)"};
constexpr SizeRules memory_limit_rules{true, true, false, true, ""};
constexpr SizeRules memory_protection_rules{true, true, true, false, ""};
constexpr SizeRules absolute_size_rules{false, false, false, false, ""};
constexpr SizeRules swap_max_rules{true, true, true, true, ""};
constexpr SizeRules swapfile_rules{true, true, false, false, ""};

std::string size_expectation(const SizeRules& rules) {
  std::string expected = rules.percent ? R"(a size like "512M" or "150%")"
                         : rules.times ? R"(a size like "512M" or "1.5x")"
                                       : R"(a size like "512M")";
  if (rules.max_keyword) expected += R"(, or "max")";
  return expected;
}

nlohmann::json size_json(const std::optional<std::int64_t>& bytes) {
  return bytes ? nlohmann::json(*bytes) : nlohmann::json(nullptr);
}

nlohmann::json param_json(const workloads::ResolvedParams::Value& value) {
  struct ToJson {
    nlohmann::json operator()(std::int64_t v) const { return v; }
    nlohmann::json operator()(std::chrono::nanoseconds v) const { return to_seconds(v); }
    nlohmann::json operator()(const std::string& v) const { return v; }
    nlohmann::json operator()(bool v) const { return v; }
  };
  return std::visit(ToJson{}, value);
}

std::string_view swap_mode_name(SwapMode mode) {
  switch (mode) {
    case SwapMode::host: return "host";
    case SwapMode::none: return "none";
    case SwapMode::swapfile: return "swapfile";
  }
  return "host";
}

class Compiler {
 public:
  Compiler(const ir::TestConfig& config, const HostFacts& host, const workloads::WorkloadRegistry& registry)
      : config_(config), host_(host), registry_(registry) {}

  TestPlan compile() {
    TestPlan plan;
    plan.source_file = config_.source_file;
    plan.name = test_name();
    plan.description = config_.description ? string(*config_.description, "", "description") : "";
    plan.iterations =
        static_cast<int>(config_.iterations ? integer(*config_.iterations, "", "iterations", 1, max_iterations) : 1);
    plan.sample_interval = config_.sample_interval
                               ? duration(*config_.sample_interval, "", "sample-interval", min_sample_interval)
                               : default_sample_interval;
    const std::chrono::nanoseconds phase_timeout =
        config_.timeout ? duration(*config_.timeout, "", "timeout", 0ns) : default_timeout;
    plan.cgroup = cgroup();
    plan.swap = swap(plan.cgroup);
    plan.sysctls = sysctls();
    plan.vm = vm();
    plan.kernels = kernels();
    if (config_.phases.empty())
      throw_value_error(config_.source_file, ir::Position{}, "", "phase", "at least one [[phase]] table", "none");
    for (std::size_t i = 0; i < config_.phases.size(); ++i) plan.phases.push_back(phase(i, phase_timeout));
    plan.resolved = resolved_json(plan);
    plan.config_hash = config_hash(plan.resolved);
    return plan;
  }

 private:
  [[noreturn]] void fail(ir::Position where, std::string_view context, std::string_view key, std::string_view expected,
                         std::string_view found) const {
    throw_value_error(config_.source_file, where, context, key, expected, found);
  }

  // ---- Values of each kind -------------------------------------------------

  std::string string(const ir::Value& value, std::string_view context, std::string_view key) const {
    if (const std::string* text = value.string()) return *text;
    fail(value.where, context, key, "a string", value.describe());
  }

  std::int64_t integer(const ir::Value& value, std::string_view context, std::string_view key, std::int64_t min,
                       std::int64_t max) const {
    const std::int64_t* number = value.integer();
    if (!number || *number < min || *number > max)
      fail(value.where, context, key, integer_expectation(min, max), value.describe());
    return *number;
  }

  bool boolean(const ir::Value& value, std::string_view context, std::string_view key) const {
    if (const bool* flag = value.boolean()) return *flag;
    fail(value.where, context, key, "true or false", value.describe());
  }

  std::string choice(const ir::Value& value, std::string_view context, std::string_view key,
                     const std::vector<std::string>& choices) const {
    const std::string* text = value.string();
    if (!text || std::find(choices.begin(), choices.end(), *text) == choices.end())
      fail(value.where, context, key, choice_expectation(choices), value.describe());
    return *text;
  }

  // A duration longer than 0, or at least `at_least` when that is not 0.
  std::chrono::nanoseconds duration(const ir::Value& value, std::string_view context, std::string_view key,
                                    std::chrono::nanoseconds at_least) const {
    const std::string* text = value.string();
    std::optional<std::chrono::nanoseconds> parsed = text ? parse_duration(*text) : std::nullopt;
    if (!parsed) fail(value.where, context, key, R"(a duration like "10s" or "500ms")", value.describe());
    if (at_least > 0ns && *parsed < at_least)
      fail(value.where, context, key, fmt::format("a duration of at least {}", format_duration(at_least)),
           value.describe());
    if (*parsed <= 0ns) fail(value.where, context, key, "a duration greater than 0", value.describe());
    // Deadlines are steady_clock::now() + the duration (and a VM's is the sum
    // over phases and iterations): beyond a year they overflow nanoseconds.
    if (*parsed > max_duration)
      fail(value.where, context, key, fmt::format("a duration of at most {}", format_duration(max_duration)),
           value.describe());
    return *parsed;
  }

  static constexpr std::string_view rate_expectation = R"(a rate like "64MiB/s" or "1.5G/s", or 0 for none)";

  // Bytes per second, 0 included (what 0 means is the workload's to say).
  std::int64_t rate(const ir::Value& value, std::string_view context, std::string_view key) const {
    std::optional<std::int64_t> parsed;
    if (const std::int64_t* number = value.integer(); number && *number == 0) parsed = 0;
    if (const std::string* text = value.string()) parsed = parse_rate(*text);
    if (!parsed) fail(value.where, context, key, std::string(rate_expectation), value.describe());
    if (*parsed < 0) fail(value.where, context, key, "a rate of 0 or more", value.describe());
    return *parsed;
  }

  // Bytes, or nullopt for "max" where rules.max_keyword allows it.
  std::optional<std::int64_t> size(const ir::Value& value, std::string_view context, std::string_view key,
                                   const SizeRules& rules) const {
    const std::string expected = size_expectation(rules);
    std::optional<SizeExpression> expression;
    if (const std::int64_t* bytes = value.integer()) {
      expression = SizeExpression{};
      expression->bytes = *bytes;
    } else if (const std::string* text = value.string()) {
      if (rules.max_keyword && *text == "max") return std::nullopt;
      expression = parse_size(*text);
    }
    if (!expression) fail(value.where, context, key, expected, value.describe());

    std::int64_t base = 0;
    switch (expression->base) {
      case SizeExpression::Base::absolute: break;
      case SizeExpression::Base::cgroup_memory_max:
        if (!rules.percent && !rules.times)
          fail(value.where, context, key, R"(an absolute size like "512M" (relative sizes are not allowed here))",
               value.describe());
        if (!rules.percent)
          fail(value.where, context, key, fmt::format(R"(a size like "512M" or "1.5x" ({}))", rules.no_percent_reason),
               value.describe());
        if (!memory_max_)
          fail(value.where, context, key, R"(an absolute size or "1.5x" ("%" sizes need a [cgroup] memory-max))",
               value.describe());
        base = *memory_max_;
        break;
      case SizeExpression::Base::mem_total:
        if (!rules.times)
          fail(value.where, context, key,
               rules.percent ? fmt::format(R"({} ("x" sizes are not allowed here))", expected)
                             : R"(an absolute size like "512M" (relative sizes are not allowed here))",
               value.describe());
        base = host_.mem_total_bytes;
        break;
    }
    std::optional<std::int64_t> bytes = expression->resolve(base);
    if (!bytes) fail(value.where, context, key, "a size that fits in 64 bits", value.describe());
    if (*bytes < 0 || (*bytes == 0 && !rules.zero))
      fail(value.where, context, key, rules.zero ? "a size of at least 0" : "a size greater than 0", value.describe());
    return bytes;
  }

  // ---- Top level --------------------------------------------------------------

  std::string test_name() const {
    if (config_.name) {
      std::string name = string(*config_.name, "", "name");
      if (!is_valid_name(name))
        fail(config_.name->where, "", "name", fmt::format("a test name matching {}", name_pattern),
             config_.name->describe());
      return name;
    }
    std::string stem = config_.source_file.stem().string();
    if (!is_valid_name(stem))
      fail(ir::Position{}, "", "name", fmt::format("a test name matching {}", name_pattern),
           in_quotes(stem) + " (from the file name; set name = \"...\")");
    return stem;
  }

  // ---- [cgroup] -------------------------------------------------------------

  CgroupPlan cgroup() {
    const ir::Cgroup& ir = config_.cgroup;
    CgroupPlan plan;
    // memory-max first: it is the base of every "%" size in the file.
    if (ir.memory_max) {
      plan.memory_max = size(*ir.memory_max, "[cgroup]", "memory-max", memory_max_rules);
      memory_max_ = plan.memory_max;
    }
    if (ir.memory_high) plan.memory_high = size(*ir.memory_high, "[cgroup]", "memory-high", memory_limit_rules);
    if (ir.memory_low) plan.memory_low = size(*ir.memory_low, "[cgroup]", "memory-low", memory_protection_rules);
    if (ir.memory_min) plan.memory_min = size(*ir.memory_min, "[cgroup]", "memory-min", memory_protection_rules);
    if (ir.swap_max) plan.swap_max = size(*ir.swap_max, "[cgroup]", "swap-max", swap_max_rules);

    struct Limit {
      std::string_view key;
      const std::optional<ir::Value>& value;
      const std::optional<std::int64_t>& bytes;
    };
    // Ordered from the smallest to the largest a sane configuration has.
    const Limit limits[] = {{"memory-min", ir.memory_min, plan.memory_min},
                            {"memory-low", ir.memory_low, plan.memory_low},
                            {"memory-high", ir.memory_high, plan.memory_high},
                            {"memory-max", ir.memory_max, plan.memory_max}};
    for (const Limit& checked : limits) {
      if (checked.bytes && *checked.bytes > host_.mem_total_bytes)
        fail(checked.value->where, "[cgroup]", checked.key,
             fmt::format("a size of at most MemTotal ({})", format_bytes(host_.mem_total_bytes)),
             checked.value->describe());
    }
    for (std::size_t i = 0; i < std::size(limits); ++i) {
      for (std::size_t j = i + 1; j < std::size(limits); ++j) {
        const Limit& lower = limits[i];
        const Limit& upper = limits[j];
        if (lower.bytes && upper.bytes && *lower.bytes > *upper.bytes)
          fail(lower.value->where, "[cgroup]", lower.key,
               fmt::format("a size of at most {} ({})", upper.key, format_bytes(*upper.bytes)),
               lower.value->describe());
      }
    }
    return plan;
  }

  // ---- [swap] -----------------------------------------------------------------

  SwapPlan swap(CgroupPlan& cgroup) const {
    const ir::Swap& ir = config_.swap;
    SwapPlan plan;
    if (ir.mode) {
      std::string mode = choice(*ir.mode, "[swap]", "mode", {"host", "none", "swapfile"});
      plan.mode = mode == "none" ? SwapMode::none : mode == "swapfile" ? SwapMode::swapfile : SwapMode::host;
    }
    if (plan.mode != SwapMode::swapfile) {
      const std::string expected = R"(no such key unless mode = "swapfile")";
      if (ir.swapfile_size)
        fail(ir.swapfile_size->where, "[swap]", "swapfile-size", expected, ir.swapfile_size->describe());
      if (ir.swapfile_directory)
        fail(ir.swapfile_directory->where, "[swap]", "swapfile-directory", expected, ir.swapfile_directory->describe());
    }
    if (plan.mode == SwapMode::swapfile) {
      if (!ir.swapfile_size)
        fail(ir.where, "[swap]", "swapfile-size", R"(a size like "1G" or "0.5x" (required with mode = "swapfile"))",
             "nothing");
      plan.swapfile_bytes = *size(*ir.swapfile_size, "[swap]", "swapfile-size", swapfile_rules);
      plan.swapfile_directory = default_swapfile_directory;
      if (ir.swapfile_directory) {
        const ir::Value& value = *ir.swapfile_directory;
        const std::string* directory = value.string();
        if (!directory || directory->empty() || directory->front() != '/')
          fail(value.where, "[swap]", "swapfile-directory", R"(an absolute directory path like "/var/tmp")",
               value.describe());
        plan.swapfile_directory = *directory;
      }
    }
    if (plan.mode == SwapMode::none) {
      // "none" is spelled in the cgroup as swap-max 0; anything else contradicts it.
      if (cgroup.swap_max != std::optional<std::int64_t>(0) && config_.cgroup.swap_max)
        fail(config_.cgroup.swap_max->where, "[cgroup]", "swap-max", R"("0" or no swap-max with [swap] mode = "none")",
             config_.cgroup.swap_max->describe());
      cgroup.swap_max = 0;
    }
    return plan;
  }

  // ---- [sysctl] ---------------------------------------------------------------

  std::vector<SysctlSetting> sysctls() const { return sysctl_settings(config_.sysctls, "[sysctl]", false); }

  // `boot_argument`: the setting becomes an argument of a guest's kernel
  // command line (sysctl.NAME="VALUE", targets/kernel_spec.cpp), where a
  // double quote in the value would end it and start arguments of its own
  // ('10" rdinit=/bin/sh').
  std::vector<SysctlSetting> sysctl_settings(const std::vector<ir::Entry>& entries, std::string_view context,
                                             bool boot_argument) const {
    std::vector<SysctlSetting> settings;
    std::map<std::string, ir::Position> seen;
    for (const ir::Entry& entry : entries) {
      if (!is_valid_sysctl_name(entry.key))
        fail(entry.key_where, context, entry.key, R"(a dotted sysctl name like "vm.swappiness")", in_quotes(entry.key));
      if (auto [it, inserted] = seen.emplace(entry.key, entry.key_where); !inserted)
        fail(entry.key_where, context, entry.key, "each sysctl set once",
             fmt::format("a second setting (the first is at line {})", it->second.line));
      const ir::Value& value = entry.value;
      std::string text;
      if (const std::int64_t* number = value.integer()) {
        text = std::to_string(*number);
      } else if (const std::string* string = value.string();
                 string && !string->empty() && string->find('\n') == std::string::npos) {
        text = *string;
      } else {
        fail(value.where, context, entry.key, "an integer or a one-line string", value.describe());
      }
      if (boot_argument && text.find('"') != std::string::npos)
        fail(value.where, context, entry.key, "a value without double quotes (it becomes a kernel argument)",
             value.describe());
      settings.push_back({entry.key, std::move(text)});
    }
    return settings;
  }

  // ---- [vm] and [[kernel]] -------------------------------------------------------

  VmPlan vm() const {
    const ir::Vm& ir = config_.vm;
    VmPlan plan;
    if (ir.memory) {
      plan.memory_bytes = size(*ir.memory, "[vm]", "memory", absolute_size_rules);
      if (*plan.memory_bytes < min_vm_memory_bytes)
        fail(ir.memory->where, "[vm]", "memory", "a size of at least 256M", ir.memory->describe());
    }
    if (ir.cpus) plan.cpus = static_cast<int>(integer(*ir.cpus, "[vm]", "cpus", 1, max_vm_cpus));
    if (ir.timeout) plan.timeout = duration(*ir.timeout, "[vm]", "timeout", min_vm_timeout);
    if (ir.scratch_size) {
      plan.scratch_bytes = size(*ir.scratch_size, "[vm]", "scratch-size", absolute_size_rules);
      if (*plan.scratch_bytes < min_vm_scratch_bytes)
        fail(ir.scratch_size->where, "[vm]", "scratch-size", "a size of at least 64M", ir.scratch_size->describe());
    }
    return plan;
  }

  std::vector<KernelPlan> kernels() const {
    std::vector<KernelPlan> plans;
    std::map<std::string, ir::Position> seen;
    for (const ir::Kernel& ir : config_.kernels) {
      KernelPlan plan;
      if (!ir.name) fail(ir.where, "[[kernel]]", "name", "a name (the label its results are stored under)", "nothing");
      plan.name = string(*ir.name, "[[kernel]]", "name");
      if (!is_valid_name(plan.name) || plan.name == "host")
        fail(ir.name->where, "[[kernel]]", "name", fmt::format("a label matching {}, not \"host\"", name_pattern),
             ir.name->describe());
      if (auto [it, inserted] = seen.emplace(plan.name, ir.name->where); !inserted)
        fail(ir.name->where, "[[kernel]]", "name", "each kernel named once",
             fmt::format("a second \"{}\" (the first is at line {})", plan.name, it->second.line));
      const std::string context = fmt::format("[[kernel]] \"{}\"", plan.name);
      if (!ir.image) fail(ir.where, context, "image", "the path of a kernel image (bzImage/vmlinuz)", "nothing");
      auto relative_to_config = [&](const std::filesystem::path& path) {
        return path.is_absolute() ? path : config_.source_file.parent_path() / path;
      };
      plan.image = relative_to_config(string(*ir.image, context, "image"));
      if (ir.modules) plan.modules = relative_to_config(string(*ir.modules, context, "modules"));
      if (ir.cmdline) plan.cmdline = string(*ir.cmdline, context, "cmdline");
      plan.sysctls = sysctl_settings(ir.sysctls, context + " sysctl", true);
      plans.push_back(std::move(plan));
    }
    return plans;
  }

  // ---- [[phase]] and [[phase.workload]] ----------------------------------------

  PhasePlan phase(std::size_t index, std::chrono::nanoseconds default_phase_timeout) {
    const ir::Phase& ir = config_.phases[index];
    const std::string context = phase_context(ir, index);
    PhasePlan plan;
    plan.name = default_phase_name(index);
    if (ir.name) {
      plan.name = string(*ir.name, context, "name");
      if (!is_valid_name(plan.name))
        fail(ir.name->where, context, "name", fmt::format("a phase name matching {}", name_pattern),
             ir.name->describe());
    }
    if (auto [it, inserted] = phase_names_.emplace(plan.name, ir.where); !inserted)
      fail(ir.name ? ir.name->where : ir.where, context, "name", "a phase name used only once",
           fmt::format("{}, the name of the phase at line {}", in_quotes(plan.name), it->second.line));
    plan.timeout = ir.timeout ? duration(*ir.timeout, context, "timeout", 0ns) : default_phase_timeout;
    if (ir.workloads.empty()) fail(ir.where, context, "workload", "at least one [[phase.workload]] table", "none");

    std::map<std::string, ir::Position> instance_names;
    std::map<std::string, int> type_counts;
    for (const ir::Workload& workload : ir.workloads)
      plan.workloads.push_back(this->workload(workload, context, instance_names, type_counts));
    return plan;
  }

  WorkloadPlan workload(const ir::Workload& ir, const std::string& phase_context,
                        std::map<std::string, ir::Position>& instance_names,
                        std::map<std::string, int>& type_counts) const {
    const std::string type_expectation = R"(a workload type (see "memharness list"))";
    if (!ir.type) fail(ir.where, phase_context, "type", type_expectation, "nothing");
    const std::string* type = ir.type->string();
    if (!type) fail(ir.type->where, phase_context, "type", type_expectation, ir.type->describe());

    WorkloadPlan plan;
    plan.type = *type;
    const int occurrence = ++type_counts[*type];
    if (ir.name) {
      plan.instance_name = string(*ir.name, phase_context, "name");
      if (!is_valid_name(plan.instance_name))
        fail(ir.name->where, fmt::format("workload {}", in_quotes(plan.instance_name)), "name",
             fmt::format("a workload name matching {}", name_pattern), ir.name->describe());
    } else {
      plan.instance_name = occurrence == 1 ? *type : fmt::format("{}-{}", *type, occurrence);
    }
    const std::string context = fmt::format("workload {}", in_quotes(plan.instance_name));

    const WorkloadSpec* spec = registry_.find(*type);
    if (!spec) {
      std::vector<std::string> known;
      for (const WorkloadSpec* candidate : registry_.all()) known.push_back(candidate->name);
      std::string found = ir.type->describe();
      if (auto suggestion = closest_match(*type, known))
        found += fmt::format(" (did you mean {}?)", in_quotes(*suggestion));
      fail(ir.type->where, context, "type", R"(a registered workload type (see "memharness list"))", found);
    }
    if (auto [it, inserted] = instance_names.emplace(plan.instance_name, ir.where); !inserted)
      fail(ir.name ? ir.name->where : ir.where, context, "name", "a workload name used only once in the phase",
           fmt::format("{}, the name of the workload at line {}", in_quotes(plan.instance_name), it->second.line));

    for (const ParamSpec& param : spec->params) check_spec(*spec, param);
    for (const ir::Entry& entry : ir.params) {
      const ParamSpec* param = spec->find_param(entry.key);
      if (!param) {
        std::vector<std::string> known{"type", "name"};
        for (const ParamSpec& p : spec->params) known.push_back(p.name);
        throw_config_error(config_.source_file, entry.key_where, context, entry.key,
                           unknown_key_detail(entry.key, known));
      }
      plan.params.set(param->name, param_value(*param, entry.value, context));
    }
    for (const ParamSpec& param : spec->params) {
      if (plan.params.has(param.name)) continue;
      if (param.required())
        fail(ir.where, context, param.name, fmt::format("{} (the parameter is required)", param_expectation(param)),
             "nothing");
      plan.params.set(param.name, default_value(*spec, param, ir.where, context));
    }
    return plan;
  }

  // ---- Workload parameters ----------------------------------------------------

  static void check_spec(const WorkloadSpec& spec, const ParamSpec& param) {
    if (param.name == "type" || param.name == "name")
      throw std::logic_error(
          fmt::format("workload \"{}\": parameter \"{}\" clashes with a key of "
                      "[[phase.workload]]",
                      spec.name, param.name));
    if (param.type == ParamType::choice && param.choices.empty())
      throw std::logic_error(
          fmt::format("workload \"{}\": choice parameter \"{}\" has no choices", spec.name, param.name));
  }

  static SizeRules param_size_rules(const ParamSpec& param) {
    return {param.relative_allowed, param.relative_allowed, false, false, ""};
  }

  static std::string param_expectation(const ParamSpec& param) {
    switch (param.type) {
      case ParamType::size: return size_expectation(param_size_rules(param));
      case ParamType::count: return integer_expectation(param.min, param.max);
      case ParamType::duration: return R"(a duration like "10s" or "500ms")";
      case ParamType::rate: return std::string(rate_expectation);
      case ParamType::text: return "a string";
      case ParamType::choice: return choice_expectation(param.choices);
      case ParamType::boolean: return "true or false";
    }
    return "a value";
  }

  workloads::ResolvedParams::Value param_value(const ParamSpec& param, const ir::Value& value,
                                               std::string_view context) const {
    switch (param.type) {
      case ParamType::size: return *size(value, context, param.name, param_size_rules(param));
      case ParamType::count: return integer(value, context, param.name, param.min, param.max);
      case ParamType::duration: return duration(value, context, param.name, 0ns);
      case ParamType::rate: return rate(value, context, param.name);
      case ParamType::text: return string(value, context, param.name);
      case ParamType::choice: return choice(value, context, param.name, param.choices);
      case ParamType::boolean: return boolean(value, context, param.name);
    }
    throw std::logic_error("unhandled ParamType");
  }

  // The default as if the user had written it, through the same checks; a
  // default that fails them is a bug in the workload, except for a relative
  // size whose base this config does not provide.
  workloads::ResolvedParams::Value default_value(const WorkloadSpec& spec, const ParamSpec& param, ir::Position where,
                                                 std::string_view context) const {
    const std::string& text = param.default_value;
    ir::Value value;
    value.where = where;
    value.data = text;
    if (param.type == ParamType::count) {
      std::int64_t number = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error == std::errc{} && end == text.data() + text.size()) value.data = number;
    } else if (param.type == ParamType::boolean && (text == "true" || text == "false")) {
      value.data = text == "true";
    } else if (param.type == ParamType::size && !memory_max_) {
      auto expression = parse_size(text);
      if (expression && expression->base == SizeExpression::Base::cgroup_memory_max && param.relative_allowed)
        fail(where, context, param.name,
             fmt::format("a value, or a [cgroup] memory-max for the default {} to be relative to", in_quotes(text)),
             "nothing");
    }
    try {
      return param_value(param, value, context);
    } catch (const Error& error) {
      throw std::logic_error(
          fmt::format("workload \"{}\": the default of parameter \"{}\" is "
                      "invalid: {}",
                      spec.name, param.name, error.what()));
    }
  }

  // ---- JSON -------------------------------------------------------------------

  static nlohmann::json resolved_json(const TestPlan& plan) {
    nlohmann::json json;
    json["name"] = plan.name;
    json["description"] = plan.description;
    json["iterations"] = plan.iterations;
    json["sample-interval"] = to_seconds(plan.sample_interval);
    json["cgroup"] = {
        {"memory-max", size_json(plan.cgroup.memory_max)}, {"memory-high", size_json(plan.cgroup.memory_high)},
        {"memory-low", size_json(plan.cgroup.memory_low)}, {"memory-min", size_json(plan.cgroup.memory_min)},
        {"swap-max", size_json(plan.cgroup.swap_max)},
    };
    json["swap"] = {{"mode", swap_mode_name(plan.swap.mode)}};
    if (plan.swap.mode == SwapMode::swapfile) {
      json["swap"]["swapfile-size"] = plan.swap.swapfile_bytes;
      json["swap"]["swapfile-directory"] = plan.swap.swapfile_directory.string();
    }
    json["sysctl"] = nlohmann::json::object();
    for (const SysctlSetting& sysctl : plan.sysctls) json["sysctl"][sysctl.name] = sysctl.value;
    json["phases"] = nlohmann::json::array();
    for (const PhasePlan& phase : plan.phases) {
      nlohmann::json workloads = nlohmann::json::array();
      for (const WorkloadPlan& workload : phase.workloads) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [name, value] : workload.params.all()) params[name] = param_json(value);
        workloads.push_back({{"type", workload.type}, {"name", workload.instance_name}, {"params", params}});
      }
      json["phases"].push_back(
          {{"name", phase.name}, {"timeout", to_seconds(phase.timeout)}, {"workloads", workloads}});
    }
    return json;
  }

  const ir::TestConfig& config_;
  const HostFacts& host_;
  const workloads::WorkloadRegistry& registry_;
  std::optional<std::int64_t> memory_max_;  // resolved; the base of "%" sizes
  std::map<std::string, ir::Position> phase_names_;
};

}  // namespace

// The machine every config is resolved against for its hash: 1 PiB, 1 CPU, no swap.
const HostFacts hash_host{.mem_total_bytes = std::int64_t{1} << 50, .swap_total_bytes = 0, .cpus = 1};

TestPlan compile_test_plan(const ir::TestConfig& config, const HostFacts& host,
                           const workloads::WorkloadRegistry& registry) {
  // Every limit is checked against MemTotal, so without it nothing can be checked.
  if (host.mem_total_bytes <= 0)
    throw environment_error(
        "{}: error: cannot check the test config: the machine's MemTotal "
        "is unknown",
        config.source_file.string());
  TestPlan plan = Compiler(config, host, registry).compile();
  // The hash identifies the config, not what one machine resolved from it:
  // "0.95x" is the same test in a guest with 1019248640 bytes of MemTotal and
  // in one with 1013821440, and two kernels of one `run` must not differ by
  // it. So it is taken over the config resolved against one fixed machine,
  // large enough that every limit a real machine accepts fits.
  plan.config_hash = config_hash(Compiler(config, hash_host, registry).compile().resolved);
  return plan;
}

std::string config_hash(const nlohmann::json& resolved) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : resolved.dump()) {
    hash ^= c;
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace memharness::config
