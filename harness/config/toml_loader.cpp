// TOML -> IR. The only file that sees toml++ types.
//
// Schema of a test config (docs/config.md describes every key with examples):
//
//   name = "anon-dirty"        # default: the file stem; [a-z0-9][a-z0-9._-]*
//   description = "..."        # default ""
//   iterations = 3             # integer 1..10000; default 1
//   sample-interval = "1s"     # duration, at least 100ms; default "1s"
//   timeout = "10m"            # default timeout of every phase; default "1h"
//
//   [cgroup]                   # limits of the test cgroup; every key optional
//   memory-max = "256M"        # size, "Nx" of MemTotal, or "max"; not "%" (it is
//                              # the base of "%"); at most MemTotal
//   memory-high = "90%"        # size, "N%" of memory-max, "Nx", or "max"
//   memory-low = "64M"         # size, "N%", "Nx"
//   memory-min = "32M"         # size, "N%", "Nx"; min <= low <= high <= max
//   swap-max = "max"           # size ("0" forbids swap), "N%", "Nx", or "max"
//
//   [swap]
//   mode = "host"              # "host" (default): whatever swap the host has;
//                              # "none": the test cgroup may not swap;
//                              # "swapfile": the harness adds a swapfile
//   swapfile-size = "1G"       # size, "N%", "Nx"; required for, and only for,
//                              # mode = "swapfile"
//   swapfile-directory = "/var/tmp"   # absolute; mode = "swapfile" only
//
//   [sysctl]                   # set for the test, restored afterwards
//   "vm.swappiness" = 100      # integer or string; unquoted dotted keys
//                              # (vm.swappiness = 100) mean the same
//
//   [vm]                       # the guest kernel images boot in; host runs ignore it
//   memory = "1G"              # absolute size, at least 256M; default "2G"
//   cpus = 2                   # 1..256; default 2
//   timeout = "20m"            # the whole guest; default 2m + phase timeouts
//   scratch-size = "4G"        # the scratch disk (sparse); default "4G"
//
//   [[kernel]]                 # kernels to run when no --kernel is given
//   name = "6.12-nothp"        # required; a label
//   image = "/boot/vmlinuz-6.12"   # required; relative to this file
//   modules = "/lib/modules"   # optional, as --kernel ...,modules=
//   cmdline = "transparent_hugepage=never"   # optional extra arguments
//   [kernel.sysctl]            # optional, set at boot (sysctl.K=V)
//   "vm.compaction_proactiveness" = 0
//
//   [[phase]]                  # one or more, run in sequence
//   name = "dirty"             # default "phase-N"; unique; [a-z0-9][a-z0-9._-]*
//   timeout = "5m"             # default: the top-level timeout
//
//   [[phase.workload]]         # one or more per phase, run concurrently
//   type = "anon-dirty"        # a registered workload (`memharness list`)
//   name = "dirtier"           # default: the type; type-2, type-3 ... for
//                              # repeats of the type in the phase
//   vm-bytes = "150%"          # any other key: a parameter of the workload,
//                              # checked against its ParamSpec list
//
// This file checks the structure (which keys exist, where tables belong); the
// plan compiler checks values. Tables are walked in file order, so the first
// problem reported is the first one in the file.
#include "harness/config/toml_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/config/diagnostics.h"
#include "harness/config/toml_support.h"

namespace memharness::config {
namespace {

const std::vector<std::string> top_level_keys{"name",    "description", "iterations", "sample-interval",
                                              "timeout", "cgroup",      "swap",       "sysctl",
                                              "phase",   "vm",          "kernel"};
const std::vector<std::string> vm_keys{"memory", "cpus", "timeout", "scratch-size"};
const std::vector<std::string> kernel_keys{"name", "image", "modules", "cmdline", "sysctl"};
const std::vector<std::string> cgroup_keys{"memory-max", "memory-high", "memory-low", "memory-min", "swap-max"};
const std::vector<std::string> swap_keys{"mode", "swapfile-size", "swapfile-directory"};
const std::vector<std::string> phase_keys{"name", "timeout", "workload"};

bool is_array_of_tables(const toml::node& node) {
  const toml::array* array = node.as_array();
  return array &&
         std::all_of(array->begin(), array->end(), [](const toml::node& element) { return element.is_table(); });
}

ir::Value to_value(const toml::node& node) {
  ir::Value value;
  value.where = position_of(node.source().begin);
  switch (node.type()) {
    case toml::node_type::string: value.data = std::string(node.as_string()->get()); break;
    case toml::node_type::integer: value.data = node.as_integer()->get(); break;
    case toml::node_type::floating_point: value.data = node.as_floating_point()->get(); break;
    case toml::node_type::boolean: value.data = node.as_boolean()->get(); break;
    case toml::node_type::table: value.data = ir::OtherValue{"a table"}; break;
    case toml::node_type::array:
      value.data =
          ir::OtherValue{is_array_of_tables(node) && !node.as_array()->empty() ? "an array of tables" : "an array"};
      break;
    case toml::node_type::date: value.data = ir::OtherValue{"a date"}; break;
    case toml::node_type::time: value.data = ir::OtherValue{"a time"}; break;
    case toml::node_type::date_time: value.data = ir::OtherValue{"a date-time"}; break;
    case toml::node_type::none: value.data = ir::OtherValue{"nothing"}; break;
  }
  return value;
}

struct Item {
  const toml::key* key;
  const toml::node* node;
};

// toml::table is ordered by key; the user thinks in lines.
std::vector<Item> in_file_order(const toml::table& table) {
  std::vector<Item> items;
  for (auto&& [key, node] : table) items.push_back({&key, &node});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    const auto& pa = a.key->source().begin;
    const auto& pb = b.key->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  return items;
}

class Loader {
 public:
  explicit Loader(const std::filesystem::path& file) : file_(file) {}

  ir::TestConfig load(const toml::table& root) {
    ir::TestConfig config;
    config.source_file = file_;
    for (const auto& [key, node] : in_file_order(root)) {
      const std::string_view name = key->str();
      if (name == "name") {
        config.name = to_value(*node);
      } else if (name == "description") {
        config.description = to_value(*node);
      } else if (name == "iterations") {
        config.iterations = to_value(*node);
      } else if (name == "sample-interval") {
        config.sample_interval = to_value(*node);
      } else if (name == "timeout") {
        config.timeout = to_value(*node);
      } else if (name == "cgroup") {
        config.cgroup = load_cgroup(table_at(*node, "", name, "[cgroup]"));
      } else if (name == "swap") {
        config.swap = load_swap(table_at(*node, "", name, "[swap]"));
      } else if (name == "sysctl") {
        load_sysctls(table_at(*node, "", name, "[sysctl]"), "", config.sysctls);
        // vm.a, kernel.b, vm.c come out of the nested tables as vm.a, vm.c, kernel.b.
        std::stable_sort(config.sysctls.begin(), config.sysctls.end(), [](const ir::Entry& a, const ir::Entry& b) {
          return std::pair(a.key_where.line, a.key_where.column) < std::pair(b.key_where.line, b.key_where.column);
        });
      } else if (name == "vm") {
        config.vm = load_vm(table_at(*node, "", name, "[vm]"));
      } else if (name == "kernel") {
        for (const toml::table* table : tables_at(*node, "", name, "[[kernel]]"))
          config.kernels.push_back(load_kernel(*table));
      } else if (name == "phase") {
        for (const toml::table* table : tables_at(*node, "", name, "[[phase]]"))
          config.phases.push_back(load_phase(*table, config.phases.size()));
      } else {
        unknown_key("", *key, top_level_keys);
      }
    }
    return config;
  }

 private:
  [[noreturn]] void unknown_key(std::string_view context, const toml::key& key,
                                const std::vector<std::string>& known) const {
    throw_config_error(file_, position_of(key.source().begin), context, key.str(),
                       unknown_key_detail(key.str(), known));
  }

  const toml::table& table_at(const toml::node& node, std::string_view context, std::string_view key,
                              std::string_view header) const {
    if (const toml::table* table = node.as_table()) return *table;
    const ir::Value found = to_value(node);
    throw_value_error(file_, found.where, context, key, fmt::format("a table ({})", header), found.describe());
  }

  std::vector<const toml::table*> tables_at(const toml::node& node, std::string_view context, std::string_view key,
                                            std::string_view header) const {
    if (!is_array_of_tables(node)) {
      const ir::Value found = to_value(node);
      throw_value_error(file_, found.where, context, key, fmt::format("an array of tables ({})", header),
                        found.describe());
    }
    std::vector<const toml::table*> tables;
    for (const toml::node& element : *node.as_array()) tables.push_back(element.as_table());
    return tables;
  }

  ir::Cgroup load_cgroup(const toml::table& table) const {
    ir::Cgroup cgroup;
    cgroup.where = position_of(table.source().begin);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "memory-max") {
        cgroup.memory_max = to_value(*node);
      } else if (name == "memory-high") {
        cgroup.memory_high = to_value(*node);
      } else if (name == "memory-low") {
        cgroup.memory_low = to_value(*node);
      } else if (name == "memory-min") {
        cgroup.memory_min = to_value(*node);
      } else if (name == "swap-max") {
        cgroup.swap_max = to_value(*node);
      } else {
        unknown_key("[cgroup]", *key, cgroup_keys);
      }
    }
    return cgroup;
  }

  ir::Swap load_swap(const toml::table& table) const {
    ir::Swap swap;
    swap.where = position_of(table.source().begin);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "mode") {
        swap.mode = to_value(*node);
      } else if (name == "swapfile-size") {
        swap.swapfile_size = to_value(*node);
      } else if (name == "swapfile-directory") {
        swap.swapfile_directory = to_value(*node);
      } else {
        unknown_key("[swap]", *key, swap_keys);
      }
    }
    return swap;
  }

  ir::Vm load_vm(const toml::table& table) const {
    ir::Vm vm;
    vm.where = position_of(table.source().begin);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "memory") {
        vm.memory = to_value(*node);
      } else if (name == "cpus") {
        vm.cpus = to_value(*node);
      } else if (name == "timeout") {
        vm.timeout = to_value(*node);
      } else if (name == "scratch-size") {
        vm.scratch_size = to_value(*node);
      } else {
        unknown_key("[vm]", *key, vm_keys);
      }
    }
    return vm;
  }

  ir::Kernel load_kernel(const toml::table& table) const {
    ir::Kernel kernel;
    kernel.where = position_of(table.source().begin);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "name") {
        kernel.name = to_value(*node);
      } else if (name == "image") {
        kernel.image = to_value(*node);
      } else if (name == "modules") {
        kernel.modules = to_value(*node);
      } else if (name == "cmdline") {
        kernel.cmdline = to_value(*node);
      } else if (name == "sysctl") {
        load_sysctls(table_at(*node, "[[kernel]]", name, "[kernel.sysctl]"), "", kernel.sysctls);
      } else {
        unknown_key("[[kernel]]", *key, kernel_keys);
      }
    }
    return kernel;
  }

  // vm.swappiness = 1 is a table "vm" holding "swappiness" in TOML; both it and
  // "vm.swappiness" = 1 name the sysctl vm.swappiness.
  void load_sysctls(const toml::table& table, const std::string& prefix, std::vector<ir::Entry>& sysctls) const {
    for (const auto& [key, node] : in_file_order(table)) {
      std::string name = prefix + std::string(key->str());
      if (const toml::table* nested = node->as_table()) {
        load_sysctls(*nested, name + ".", sysctls);
        continue;
      }
      sysctls.push_back({std::move(name), position_of(key->source().begin), to_value(*node)});
    }
  }

  ir::Phase load_phase(const toml::table& table, std::size_t index) const {
    ir::Phase phase;
    phase.where = position_of(table.source().begin);
    // The name first: every message about this phase is worded with it.
    if (const toml::node* name = table.get("name")) phase.name = to_value(*name);
    const std::string context = phase_context(phase, index);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "name") continue;
      if (name == "timeout") {
        phase.timeout = to_value(*node);
      } else if (name == "workload") {
        for (const toml::table* workload : tables_at(*node, context, name, "[[phase.workload]]"))
          phase.workloads.push_back(load_workload(*workload));
      } else {
        unknown_key(context, *key, phase_keys);
      }
    }
    return phase;
  }

  // Which keys are parameters depends on the workload type: the compiler checks them.
  static ir::Workload load_workload(const toml::table& table) {
    ir::Workload workload;
    workload.where = position_of(table.source().begin);
    for (const auto& [key, node] : in_file_order(table)) {
      const std::string_view name = key->str();
      if (name == "type") {
        workload.type = to_value(*node);
      } else if (name == "name") {
        workload.name = to_value(*node);
      } else {
        workload.params.push_back({std::string(name), position_of(key->source().begin), to_value(*node)});
      }
    }
    return workload;
  }

  const std::filesystem::path& file_;
};

}  // namespace

std::string syntax_error_detail(std::string_view description) {
  constexpr std::string_view prefix = "Error while parsing ";
  if (description.substr(0, prefix.size()) == prefix)
    return fmt::format("invalid TOML while parsing {}", description.substr(prefix.size()));
  return fmt::format("invalid TOML: {}", description);
}

ir::TestConfig parse_test_config(std::string_view toml_text, const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file.string());
  } catch (const toml::parse_error& error) {
    throw_config_error(file, position_of(error.source().begin), "", "", syntax_error_detail(error.description()));
  }
  return Loader(file).load(root);
}

ir::TestConfig load_test_config(const std::filesystem::path& file) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored))
    throw usage_error("{}: error: cannot read the test config: it is a directory", file.string());
  auto text = read_file_if_opened(file);
  if (!text) throw usage_error("{}: error: cannot read the test config: {}", file.string(), std::strerror(errno));
  return parse_test_config(*text, file);
}

}  // namespace memharness::config
